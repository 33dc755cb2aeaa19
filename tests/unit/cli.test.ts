/** The `kitewire` command line: `inspect` on each protocol and framing, errors and exit codes. */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  encodeThrift, init, MessageType, ProtobufWriter, ThriftBinaryWriter, ThriftCompactWriter, TType, type Transport,
} from "../../src/runtime/node/index.js";
import { beginFrame, endFrame, type FrameHeaderFields } from "../../src/remote/frame-encoder.js";
import * as ex from "../golden/thrift/gen/example.js";

const bin = new URL("../../bin/kitewire.mjs", import.meta.url).pathname;
let dir: string;
beforeAll(async () => {
  await init();
  dir = mkdtempSync(join(tmpdir(), "kitewire-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: Uint8Array | string) {
  const result = spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8", timeout: 20_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test("inspect prints a Compact message read from a file", () => {
  const w = new ThriftCompactWriter();
  w.writeMessageBegin("Get", MessageType.CALL, 5);
  w.writeStructBegin();
  w.writeFieldBegin(TType.I64, 1); w.writeI64(-7n);
  w.writeFieldBegin(TType.LIST, 2); w.writeListBegin(TType.STRING, 1); w.writeString("x");
  w.writeFieldBegin(TType.BOOL, 3); w.writeBool(false);
  w.writeFieldStop(); w.writeStructEnd();
  const file = join(dir, "msg.bin");
  writeFileSync(file, w.finish());
  const { code, out } = run(["inspect", "--protocol", "compact", file]);
  expect(code).toBe(0);
  expect(out).toBe(
    'framing: buffered (unframed compact message)\nmessage "Get" type=1 seqid=5\nbody: struct {\n  1: i64 -7\n  2: list<binary>[1] {\n    [0]: binary "x"\n  }\n  3: bool false\n}\n',
  );
});

test("inspect shows nested Protobuf messages from hex on stdin, framed", () => {
  const w = new ProtobufWriter();
  w.tag(1, 2).fork().tag(1, 0).uint32(150).join().tag(2, 2).bytes(new Uint8Array([0xff, 0x00]));
  const body = w.finish();
  const hex = "0000000" + body.length.toString(16) + Buffer.from(body).toString("hex");
  const { code, out } = run(["inspect", "-p", "protobuf", "--framed", "--hex"], hex);
  expect(code).toBe(0);
  expect(out).toBe("framing: framed (9 bytes)\n1: message {\n  1: varint 150\n}\n2: bytes[2] 0xff00\n");
});

describe("inspect detects each framing and says which", () => {
  const BODY = 'message "Echo" type=1 seqid=7\nbody: struct {\n  1: binary "hi"\n}\n';
  /** A CALL Echo(1: "hi"), seqid 7, in `transport`, with `header` fields for TTHeader/THeader. */
  const frame = (transport: Transport, header?: FrameHeaderFields) => {
    const w = transport.protocol === "compact" ? new ThriftCompactWriter() : new ThriftBinaryWriter();
    const mark = beginFrame(w, transport, 7, header);
    w.writeMessageBegin("Echo", MessageType.CALL, 7);
    w.writeStructBegin();
    w.writeFieldBegin(TType.STRING, 1);
    w.writeString("hi");
    w.writeFieldStop();
    w.writeStructEnd();
    endFrame(w, mark);
    return Buffer.from(w.finish()).toString("hex");
  };
  const none = { flags: 0, intInfo: new Map(), strInfo: new Map() };

  test.each<[string, Transport, FrameHeaderFields | undefined, string]>([
    ["framed", { framing: "framed", protocol: "binary" }, undefined, "framing: framed (26 bytes)"],
    ["buffered compact", { framing: "buffered", protocol: "compact" }, undefined, "framing: buffered (unframed compact message)"],
    ["ttheader", { framing: "ttheader", protocol: "binary" }, { ...none, intInfo: new Map([[9, "Echo"]]), strInfo: new Map([["isn", "S"]]) },
      'framing: ttheader (TTHeader seqid=7 flags=0x0 protocol=0 int={"9":"Echo"} str={"isn":"S"})'],
    ["ttheader-framed", { framing: "ttheader-framed", protocol: "compact" }, none, "framing: ttheader-framed (TTHeader seqid=7 flags=0x0 protocol=2)"],
    ["theader", { framing: "theader", protocol: "compact" }, { ...none, strInfo: new Map([["tenant", "acme"]]) },
      'framing: theader (THeader seqid=7 flags=0x0 protocol=2 str={"tenant":"acme"})'],
    ["theader with zlib", { framing: "theader", protocol: "binary" }, { ...none, transforms: [1] }, "framing: theader (THeader seqid=7 flags=0x0 protocol=0 transforms=zlib)"],
  ])("%s", (_name, transport, header, first) => {
    const { code, out, err } = run(["inspect", "--hex"], frame(transport, header));
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toBe(`${first}\n${BODY}`);
  });

  test("Kitex Protobuf, framed and in TTHeader", () => {
    const body = new ProtobufWriter();
    body.tag(1, 0).uint32(150);
    const w = new ProtobufWriter();
    const mark = beginFrame(w, { framing: "kitex-protobuf", protocol: "protobuf" }, 3);
    w.writeRaw(Uint8Array.from([0x90, 0x01, 0x00, 0x01, 0, 0, 0, 3, 0x47, 0x65, 0x74, 0, 0, 0, 3]));
    w.writeRaw(body.finish());
    endFrame(w, mark);
    const kp = run(["inspect", "--hex"], Buffer.from(w.finish()).toString("hex"));
    expect(kp.out).toBe('framing: kitex-protobuf (18 bytes)\nmessage "Get" type=1 seqid=3\n1: varint 150\n');
    w.reset();
    const mark2 = beginFrame(w, { framing: "ttheader", protocol: "protobuf" }, 3);
    w.writeRaw(Uint8Array.from([0x90, 0x01, 0x00, 0x01, 0, 0, 0, 3, 0x47, 0x65, 0x74, 0, 0, 0, 3, 0x08, 0x96, 0x01]));
    endFrame(w, mark2);
    const tp = run(["inspect", "--hex"], Buffer.from(w.finish()).toString("hex"));
    expect(tp.out).toBe('framing: ttheader-framed (TTHeader seqid=3 flags=0x0 protocol=0)\nmessage "Get" type=1 seqid=3\n1: varint 150\n');
  });

  test("a bare struct from encodeThrift (binary and compact), and --framing none", () => {
    const user = ex.User.create({ id: 1n, name: "a" });
    const binary = run(["inspect", "--hex"], Buffer.from(encodeThrift(ex.User, user)).toString("hex"));
    expect(binary.err).toBe("");
    expect(binary.out.split("\n").slice(0, 3)).toEqual(["framing: none (a bare binary struct)", "struct: struct {", "  1: i64 1"]);
    const compact = run(["inspect", "--hex", "-p", "compact"], Buffer.from(encodeThrift(ex.User, user, "compact")).toString("hex"));
    expect(compact.out.split("\n").slice(0, 3)).toEqual(["framing: none (a bare compact struct)", "struct: struct {", "  1: i64 1"]);
    const forced = run(["inspect", "--hex", "--framing", "none"], frame({ framing: "buffered", protocol: "binary" }));
    expect(forced.out).toBe(`framing: none (a bare binary message)\n${BODY}`);
    expect(run(["inspect", "--framing", "http"]).code).toBe(1);
  });
});

test("malformed input exits 1 with the error and its offset", () => {
  const { code, err } = run(["inspect", "--hex"], "80010001 00000004 4563686f 00000001 0b0001 00000009 6869");
  expect(code).toBe(1);
  expect(err).toBe("kitewire inspect: LENGTH_LIMIT: length 9 exceeds the 2 bytes left (at byte 19)\n");
});

test("usage errors exit 2 or 1; version prints the package version", () => {
  expect(run([]).code).toBe(2);
  expect(run(["frobnicate"]).code).toBe(2);
  expect(run(["inspect", "--protocol", "json"]).code).toBe(1);
  const version = execFileSync(process.execPath, [bin, "version"], { encoding: "utf8" });
  expect(version).toMatch(/^kitewire \d+\.\d+\.\d+\n$/);
});

test("--help prints usage on stdout and exits 0, for the command and each subcommand", () => {
  for (const args of [["--help"], ["-h"], ["help"]]) {
    const { code, out, err } = run(args);
    expect(code, args.join(" ")).toBe(0);
    expect(err).toBe("");
    expect(out).toMatch(/^usage: kitewire <command>/);
    for (const command of ["gen", "inspect", "version", "help"]) expect(out).toContain(`\n  ${command}`);
  }
  for (const args of [["gen", "--help"], ["gen", "-o", join(dir, "never"), "-h", "x.thrift"], ["help", "gen"]]) {
    const { code, out, err } = run(args);
    expect(code, args.join(" ")).toBe(0);
    expect(err).toBe("");
    expect(out).toMatch(/^usage: kitewire gen /);
    expect(out).toContain("--target js");
    expect(out).not.toContain("wrote");
  }
  // Help does not wait for a message on stdin.
  for (const args of [["inspect", "--help"], ["help", "inspect"]]) {
    const { code, out } = run(args);
    expect(code, args.join(" ")).toBe(0);
    expect(out).toMatch(/^usage: kitewire inspect /);
    expect(out).toContain("--protocol");
  }
  expect(run(["version", "--help"])).toEqual({ code: 0, out: "usage: kitewire version\n", err: "" });
});

test("no command is usage on stderr, exit 2; a usage error names the command's --help", () => {
  const none = run([]);
  expect(none.code).toBe(2);
  expect(none.out).toBe("");
  expect(none.err).toMatch(/^usage: kitewire <command>/);
  expect(run(["help", "frobnicate"]).code).toBe(2);
  const bad = run(["gen", "--frobnicate", "x.thrift"]);
  expect(bad.code).toBe(1);
  expect(bad.err).toBe("kitewire gen: unknown option --frobnicate\n(kitewire gen --help prints the usage)\n");
});
