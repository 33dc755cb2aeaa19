/**
 * Seed inputs of each fuzz target, made from the golden corpora: random values of every
 * golden Thrift struct (tests/support/idl-values.ts) and every Protobuf message of the
 * golden and interop files (tests/support/protobuf-corpus.ts), the same frames wrapped in
 * every framing, the golden IDL files, and FileDescriptorSets of the interop files.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  ByteWriter, MessageType, ThriftBinaryWriter, ThriftCompactWriter, encodeProtobuf, encodeThrift, toJsonString,
  type ProtobufMessageCodec, type ThriftProtocol,
} from "kitewire";
import { beginFrame, endFrame } from "../../src/remote/frame-encoder.js";
import { IntKey } from "../../src/remote/ttheader.js";
import type { Transport } from "../../src/remote/transport.js";
import { ALL_STRUCTS, generate } from "../support/idl-values.js";
import { randomMessage, setAnyPacker, type Codec } from "../support/protobuf-corpus.js";
import { Random } from "../support/random.js";
import { PROTO_CODECS, THRIFT_CODECS, selector } from "./codec-targets.js";
import { fuzzEngine } from "./engine.js";

const SEEDS_PER_TYPE = 3;
const prefixed = (sel: number, bytes: Uint8Array) => Uint8Array.of(sel, ...bytes);

/** Encoded random values of each golden Thrift struct that idl-values can generate, with the codec's index. */
export function thriftValues(protocol: ThriftProtocol): { index: number; bytes: Uint8Array }[] {
  const out: { index: number; bytes: Uint8Array }[] = [];
  for (const def of ALL_STRUCTS) {
    const index = THRIFT_CODECS.indexOf(def.codec as (typeof THRIFT_CODECS)[number]);
    if (index < 0) continue;
    for (let seed = 1; seed <= SEEDS_PER_TYPE; seed++) {
      const value = generate(def, seed, { negativeZero: true, nan: true, jsObjectKeys: false });
      out.push({ index, bytes: encodeThrift(def.codec, value, protocol) });
    }
  }
  return out;
}

export function thriftGeneratedSeeds(protocol: ThriftProtocol): Uint8Array[] {
  return thriftValues(protocol).map(({ index, bytes }, i) => prefixed(selector(index, i % 2 === 1), bytes));
}

/** A CALL message (header and a golden struct as its body) in `protocol`. */
function thriftMessage(protocol: ThriftProtocol, name: string, seqid: number, body: Uint8Array): Uint8Array {
  const w = protocol === "binary" ? new ThriftBinaryWriter({ engine: fuzzEngine() }) : new ThriftCompactWriter({ engine: fuzzEngine() });
  w.writeMessageBegin(name, MessageType.CALL, seqid);
  w.writeRaw(body);
  const bytes = w.finish();
  w.dispose();
  return bytes;
}

export function thriftSkipSeeds(protocol: ThriftProtocol): Uint8Array[] {
  return thriftValues(protocol).flatMap(({ bytes }, i) => [
    prefixed(0, bytes), prefixed(1, thriftMessage(protocol, "getUser", i, bytes)),
  ]);
}

/** Random messages of every Protobuf codec, each with its codec's index. */
export function protobufValues(): { index: number; codec: Codec; value: Record<string, unknown> }[] {
  setAnyPacker((c, v) => encodeProtobuf(c, v));
  const out: { index: number; codec: Codec; value: Record<string, unknown> }[] = [];
  PROTO_CODECS.forEach((codec, index) => {
    for (let seed = 1; seed <= SEEDS_PER_TYPE; seed++) {
      try {
        out.push({ index, codec: codec as Codec, value: randomMessage(new Random(seed * 7919 + index), codec as Codec) });
      } catch {
        // A message the corpus generator cannot make (extensions-only, say): its other seeds will do.
      }
    }
  });
  return out;
}

export function protobufGeneratedSeeds(): Uint8Array[] {
  return protobufValues().map(({ index, codec, value }, i) => prefixed(selector(index, i % 2 === 1), encodeProtobuf(codec, value)));
}

export function protobufSkipSeeds(): Uint8Array[] {
  return protobufValues().map(({ codec, value }) => encodeProtobuf(codec, value));
}

export function protoJsonSeeds(): Uint8Array[] {
  const text = new TextEncoder();
  const out: Uint8Array[] = [];
  for (const { index, codec, value } of protobufValues()) {
    try {
      out.push(prefixed(selector(index), text.encode(toJsonString(codec as ProtobufMessageCodec<unknown>, value))));
    } catch {
      // An Any of a type outside the registry: skipped.
    }
  }
  return out;
}

const FRAMINGS: Transport[] = [
  { framing: "buffered", protocol: "binary" }, { framing: "buffered", protocol: "compact" },
  { framing: "framed", protocol: "binary" }, { framing: "framed", protocol: "compact" },
  { framing: "ttheader", protocol: "binary" }, { framing: "ttheader", protocol: "compact" },
  { framing: "ttheader-framed", protocol: "binary" }, { framing: "ttheader-framed", protocol: "protobuf" },
  { framing: "kitex-protobuf", protocol: "protobuf" },
  { framing: "theader", protocol: "binary" }, { framing: "theader", protocol: "compact" },
];

/** Two frames of a message in `transport`, back to back (TTHeader ones with info blocks). */
function twoFrames(transport: Transport, body: Uint8Array): Uint8Array {
  const w = new ByteWriter({ engine: fuzzEngine() });
  for (let seqid = 1; seqid <= 2; seqid++) {
    const mark = beginFrame(w, transport, seqid, {
      flags: 0, intInfo: new Map([[IntKey.TO_METHOD, "getUser"], [IntKey.RPC_TIMEOUT, "500"]]),
      strInfo: new Map([["isn", "UserService"]]), ...(seqid === 2 ? { token: "acl" } : {}),
    });
    const protocol = transport.protocol === "protobuf" ? "binary" : transport.protocol;
    w.writeRaw(thriftMessage(protocol, "getUser", seqid, body));
    endFrame(w, mark);
  }
  const bytes = w.finish();
  w.dispose();
  return bytes;
}

export function frameSeeds(): Uint8Array[] {
  const bodies = [thriftValues("binary"), thriftValues("compact")];
  return FRAMINGS.flatMap((t, i) => {
    const body = bodies[t.protocol === "compact" ? 1 : 0]![i % 4]!.bytes;
    return [prefixed(15, twoFrames(t, body)), prefixed(i, twoFrames(t, body))];
  });
}

export function headerSeeds(framing: "ttheader" | "theader"): Uint8Array[] {
  return FRAMINGS.filter((t) => t.framing.startsWith(framing)).map((t) => twoFrames(t, thriftValues("binary")[0]!.bytes));
}

const GOLDEN_IDL = {
  thrift: ["tests/golden/thrift/example.thrift", "tests/golden/thrift/modern.thrift", "tests/golden/thrift/names.thrift",
    "tests/golden/thrift/bench.thrift", "tests/golden/thrift/base.thrift", "tests/golden/thrift/typedefs.thrift"],
  proto: ["tests/golden/proto/example.proto", "tests/golden/proto/bench.proto", "tests/golden/proto/legacy.proto",
    "tests/golden/proto/extensions.proto", "tests/interop/proto/types3.proto", "tests/interop/proto/types2.proto",
    "tests/interop/proto/oneof_group.proto", "tests/interop/proto/wkt.proto"],
};

export function idlSeeds(language: "thrift" | "proto"): Uint8Array[] {
  return GOLDEN_IDL[language].map((f) => new Uint8Array(readFileSync(join(process.cwd(), f))));
}

/** FileDescriptorSets protoc made of the interop corpus (tests/fuzz/seeds/, see README.md). */
export function descriptorSetSeeds(): Uint8Array[] {
  const dir = join(process.cwd(), "tests/fuzz/seeds");
  return readdirSync(dir).filter((f) => f.endsWith(".binpb")).sort().map((f) => new Uint8Array(readFileSync(join(dir, f))));
}
