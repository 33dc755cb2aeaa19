/**
 * Every fuzz target by name: the function a fuzzer calls with each input, its seeds, and a
 * dictionary of wire tokens. Used by the short runs in `npm test` (fuzz.test.ts) and the
 * Jazzer.js long runs (`npm run fuzz`, run.mjs).
 */
import { protoJson, protobufGenerated, protobufSkip, thriftGenerated, thriftSkip } from "./codec-targets.js";
import { descriptorSet, protoIdl, thriftIdl } from "./idl-targets.js";
import { fuzzEngine } from "./engine.js";
import * as seeds from "./seeds.js";
import { frames, theader, ttheader } from "./transport-targets.js";
import { transcode, transcodeSeeds, TRANSCODE_TOKENS } from "./transcode-targets.js";
import { HTTP2_TARGETS } from "./http2-targets.js";

export interface FuzzTarget {
  /** What the target decodes. */
  readonly about: string;
  /** Runs one input; throws when a property is violated. */
  readonly run: (data: Uint8Array) => void;
  readonly seeds: () => Uint8Array[];
  /** Tokens worth inserting into inputs (libFuzzer `-dict`). */
  readonly dictionary: readonly (string | Uint8Array)[];
}

const bytes = (...b: number[]) => Uint8Array.from(b);

const THRIFT_BINARY_TOKENS = [
  bytes(0x80, 0x01, 0x00, 0x01), bytes(0x80, 0x01, 0x00, 0x02), bytes(0x0b, 0x00, 0x01), bytes(0x0c, 0x00, 0x01),
  bytes(0x0d, 0x0b, 0x0b), bytes(0x0f, 0x08), bytes(0x0e, 0x0b), bytes(0x7f, 0xff, 0xff, 0xff), bytes(0xff, 0xff, 0xff, 0xff),
  bytes(0x00, 0x00, 0x00, 0x00), bytes(0x00, 0x00, 0x01, 0x00), bytes(0x10), bytes(0x00),
];
const THRIFT_COMPACT_TOKENS = [
  bytes(0x82, 0x21), bytes(0x82, 0x41), bytes(0x18), bytes(0x1c), bytes(0x1b, 0x88), bytes(0x19, 0x15), bytes(0x1a, 0x18),
  bytes(0xf9), bytes(0x0f), bytes(0xff, 0xff, 0xff, 0xff, 0x0f), bytes(0x80, 0x80, 0x80, 0x80, 0x10), bytes(0x11), bytes(0x12),
  bytes(0x1d), bytes(0x00),
];
const PROTOBUF_TOKENS = [
  bytes(0x08), bytes(0x0a), bytes(0x0b), bytes(0x0c), bytes(0x0d), bytes(0x09), bytes(0x12, 0x00), bytes(0x80, 0x01),
  bytes(0xff, 0xff, 0xff, 0xff, 0x0f), bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), bytes(0xfa, 0x01),
  bytes(0xf8, 0xff, 0xff, 0xff, 0x0f),
];
const JSON_TOKENS = [
  "{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "-0", "1e999", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
  "\"@type\"", "\"type.googleapis.com/", "\"value\"", "\"1970-01-01T00:00:00Z\"", "\"1.000000001s\"", "\"\\u0000\"", "\"\\ud800\"",
  "9007199254740993", "\"18446744073709551615\"", "\"AA==\"", "\"-_\"", "{\"[", "\"paths\"",
];
const FRAME_TOKENS = [
  bytes(0x10, 0x00), bytes(0x0f, 0xff), bytes(0x01, 0x01), bytes(0x16, 0x03, 0x01), bytes(0x90, 0x01), bytes(0x80, 0x01), bytes(0x82, 0x21), bytes(0xff, 0xaf), bytes(0x00, 0x00, 0x00, 0x20),
  bytes(0x00, 0x00, 0xff, 0xff), bytes(0x01, 0x00, 0x09, 0x00, 0x04), bytes(0x10, 0x00, 0x01), bytes(0x11, 0x00, 0x03),
  "PRI * HTTP/2.0",
];
const THRIFT_IDL_TOKENS = [
  "namespace", "include", "cpp_include", "struct", "union", "exception", "service", "extends", "enum", "const", "typedef",
  "required", "optional", "oneway", "throws", "list<", "set<", "map<", "binary", "string", "i64", "uuid", "void", "senum",
  "(", ")", "{", "}", "=", ";", ":", ",", "1:", "0x7fffffff", "\"base.thrift\"", "base.Base", "/**", "*/", "#", "//", "1e309",
];
const PROTO_IDL_TOKENS = [
  "syntax = \"proto3\";", "syntax = \"proto2\";", "edition = \"2023\";", "package", "import", "public", "weak", "option",
  "message", "enum", "service", "rpc", "returns", "stream", "oneof", "map<", "repeated", "optional", "required", "group",
  "extend", "extensions", "reserved", "to", "max", "[default =", "[packed = true]", "json_name", "= 536870911;", "= 19000;",
  "\"dep.proto\"", "\"google/protobuf/any.proto\"", "google.protobuf.Timestamp", "dep.Dep", "inf", "nan", "0x", "\\x",
];

fuzzEngine(); // the targets make their readers on it

/** The targets, by the name `npm run fuzz -- --target=<name>` takes. */
export const TARGETS: Record<string, FuzzTarget> = {
  "thrift-binary": {
    about: "generated Thrift read path, Binary", run: thriftGenerated("binary"),
    seeds: () => seeds.thriftGeneratedSeeds("binary"), dictionary: THRIFT_BINARY_TOKENS,
  },
  "thrift-compact": {
    about: "generated Thrift read path, Compact", run: thriftGenerated("compact"),
    seeds: () => seeds.thriftGeneratedSeeds("compact"), dictionary: THRIFT_COMPACT_TOKENS,
  },
  "thrift-binary-skip": {
    about: "engine skip/validateMessage, Binary, against the TS reader", run: thriftSkip("binary"),
    seeds: () => seeds.thriftSkipSeeds("binary"), dictionary: THRIFT_BINARY_TOKENS,
  },
  "thrift-compact-skip": {
    about: "engine skip/validateMessage, Compact, against the TS reader", run: thriftSkip("compact"),
    seeds: () => seeds.thriftSkipSeeds("compact"), dictionary: THRIFT_COMPACT_TOKENS,
  },
  "protobuf": {
    about: "generated Protobuf read path", run: protobufGenerated, seeds: seeds.protobufGeneratedSeeds, dictionary: PROTOBUF_TOKENS,
  },
  "protobuf-skip": {
    about: "engine validate against field-by-field skip, Protobuf", run: protobufSkip, seeds: seeds.protobufSkipSeeds,
    dictionary: PROTOBUF_TOKENS,
  },
  "protojson": {
    about: "ProtoJSON parse (fromJsonString) and print", run: protoJson, seeds: seeds.protoJsonSeeds, dictionary: JSON_TOKENS,
  },
  "frames": {
    about: "protocol detection and frame decoder, whole and chunked", run: frames, seeds: seeds.frameSeeds,
    dictionary: [...FRAME_TOKENS, ...THRIFT_BINARY_TOKENS, ...THRIFT_COMPACT_TOKENS],
  },
  "ttheader": { about: "TTHeader parsing and re-encoding", run: ttheader, seeds: () => seeds.headerSeeds("ttheader"), dictionary: FRAME_TOKENS },
  "theader": { about: "Apache THeader parsing and re-encoding", run: theader, seeds: () => seeds.headerSeeds("theader"), dictionary: FRAME_TOKENS },
  "thrift-idl": { about: "Thrift IDL lexer, parser, checker", run: thriftIdl, seeds: () => seeds.idlSeeds("thrift"), dictionary: THRIFT_IDL_TOKENS },
  "proto-idl": { about: "Protobuf IDL lexer, parser, checker", run: protoIdl, seeds: () => seeds.idlSeeds("proto"), dictionary: PROTO_IDL_TOKENS },
  "transcode": { about: "engine JSON <-> Thrift transcoder against the JS path", run: transcode, seeds: transcodeSeeds, dictionary: TRANSCODE_TOKENS },
  "descriptor-set": {
    about: "FileDescriptorSet reader", run: descriptorSet, seeds: seeds.descriptorSetSeeds, dictionary: PROTOBUF_TOKENS,
  },
  ...HTTP2_TARGETS,
};

/** A libFuzzer dictionary file's text. */
export function dictionaryText(tokens: readonly (string | Uint8Array)[]): string {
  const quote = (b: Uint8Array) => [...b].map((c) =>
    c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`).join("");
  return tokens.map((t, i) => `t${i}="${quote(typeof t === "string" ? new TextEncoder().encode(t) : t)}"\n`).join("");
}
