/**
 * Protobuf extensions: the descriptor constants generated for tests/golden/proto/extensions.proto
 * and getExtension/setExtension/hasExtension/clearExtension over a message's `$unknown`,
 * against protobufjs (full build, the .proto files parsed at run time, extensions
 * included) byte for byte; protobuf semantics (defaults, last value wins, messages merge,
 * packed and unpacked pieces collect, closed enums); the extendee check. protoc as the
 * oracle: tests/peers/protoc-extensions.test.ts. Also: rpc names that differ only in case.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import {
  clearExtension, decodeProtobuf, encodeProtobuf, ErrorCode, getExtension, hasExtension, init, KitewireError,
  setExtension,
} from "kitewire";
import { generate } from "../../src/codegen/generate.js";
import * as ext from "../golden/proto/gen/extensions.js";
import * as legacy from "../golden/proto/gen/legacy.js";
import { ALL, hostWithAll } from "../support/protobuf-extensions.js";

const require = createRequire(import.meta.url);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (...b: number[]) => new Uint8Array(b);
const GOLDEN = resolve("tests/golden/proto");

beforeAll(async () => {
  await init();
});

describe("getExtension on a message without them", () => {
  test("gives [default = ...] or the type's default, [] for repeated, an empty message; hasExtension is false", () => {
    const h = ext.Host.create();
    expect(getExtension(h, ext.count)).toBe(0);
    expect(getExtension(h, ext.offset)).toBe(0n);
    expect(getExtension(h, ext.level)).toBe(ext.Level.LEVEL_LOW); // the first value, not 0: proto2 enums
    expect(getExtension(h, ext.label)).toBe("");
    expect(getExtension(h, ext.blob)).toEqual(bytes());
    expect(getExtension(h, ext.point)).toEqual(ext.Point.create());
    expect(getExtension(h, ext.samples)).toEqual([]);
    expect(getExtension(h, ext.points)).toEqual([]);
    expect(getExtension(h, ext.flag)).toBe(false);
    expect(getExtension(h, ext.ratio)).toBe(0.5);
    expect(getExtension(h, ext.default_level)).toBe(ext.Level.LEVEL_HIGH);
    expect(getExtension(h, ext.greeting)).toBe("hi");
    expect(getExtension(h, ext.magic)).toEqual(bytes(1, 255));
    expect(getExtension(legacy.Record$.create(), ext.kind_ext)).toBe(legacy.Kind.KIND_B);
    for (const [e] of ALL) expect(hasExtension(h, e)).toBe(false);
    expect(h.$unknown).toBeUndefined();
  });

  test("a bytes default is a copy each time", () => {
    const h = ext.Host.create();
    getExtension(h, ext.magic)[0] = 9;
    expect(getExtension(h, ext.magic)).toEqual(bytes(1, 255));
  });
});

describe("against protobufjs (extensions of the .proto parsed at run time)", () => {
  let Host: { fromObject(o: object): object; encode(m: object): { finish(): Uint8Array }; decode(b: Uint8Array): object;
    toObject(m: object, o: object): Record<string, unknown> };
  beforeAll(() => {
    const protobuf = require("protobufjs");
    const root = new protobuf.Root();
    root.resolvePath = (_origin: string, target: string) => (target.startsWith("/") ? target : join(GOLDEN, target));
    root.loadSync(["extensions.proto"], { keepCase: true });
    Host = root.lookupType("extensions.Host");
  });

  const pbjsObject = () => ({
    name: "h", ".extensions.count": -5, ".extensions.offset": String(-(2n ** 40n)), ".extensions.level": 2,
    ".extensions.label": "héllo", ".extensions.blob": bytes(0, 255), ".extensions.point": { x: 1, y: -2 },
    ".extensions.samples": [1, 2, -3, 300], ".extensions.tags": ["a", ""], ".extensions.ids": [7, 4294967295],
    ".extensions.points": [{ x: 3 }, {}], ".extensions.levels": [1, 2], ".extensions.big": String(2n ** 64n - 1n),
    ".extensions.flag": true, ".extensions.ratio": 0.25, ".extensions.default_level": 1, ".extensions.greeting": "",
    ".extensions.magic": bytes(), ".extensions.scale": 1.5, ".extensions.stamp": "-4", ".extensions.Scope.count": 7,
  });

  test("values set with setExtension encode to protobufjs's bytes", () => {
    const expected = Host.encode(Host.fromObject(pbjsObject())).finish();
    expect(hex(encodeProtobuf(ext.Host, hostWithAll()))).toBe(hex(expected));
  });

  test("protobufjs's bytes decode, and getExtension returns the values", () => {
    const h = decodeProtobuf(ext.Host, Host.encode(Host.fromObject(pbjsObject())).finish());
    expect(h.name).toBe("h");
    for (const [e, value] of ALL) {
      expect(getExtension(h, e), e.typeName).toEqual(value);
      expect(hasExtension(h, e), e.typeName).toBe(true);
    }
  });

  test("protobufjs reads kitewire's bytes as the values", () => {
    const o = Host.toObject(Host.decode(encodeProtobuf(ext.Host, hostWithAll())), { longs: String, bytes: Array });
    const want = Host.toObject(Host.fromObject(pbjsObject()), { longs: String, bytes: Array });
    expect(o).toEqual(want);
  });
});

describe("protobuf semantics", () => {
  const host = (...fields: number[][]) => decodeProtobuf(ext.Host, bytes(...fields.flat()));

  test("the last scalar on the wire wins; message pieces merge; repeated pieces collect, packed and unpacked", () => {
    const h = host(
      [0xa0, 0x06, 0x01], [0xa0, 0x06, 0x02], // count = 1, count = 2
      [0xca, 0x06, 0x02, 0x08, 0x05], [0xca, 0x06, 0x02, 0x10, 0x06], // point { x: 5 }, point { y: 6 }
      [0xd0, 0x06, 0x09], [0xd2, 0x06, 0x02, 0x01, 0x02], [0xd0, 0x06, 0x0a], // samples 9, packed [1, 2], 10
      [0xe5, 0x06, 1, 0, 0, 0], [0xe2, 0x06, 0x04, 2, 0, 0, 0], // ids unpacked 1, then packed [2]
    );
    expect(getExtension(h, ext.count)).toBe(2);
    expect(getExtension(h, ext.point)).toEqual({ x: 5, y: 6 });
    expect(getExtension(h, ext.samples)).toEqual([9, 1, 2, 10]);
    expect(getExtension(h, ext.ids)).toEqual([1, 2]);
  });

  test("numbers a closed enum does not declare are not values", () => {
    const h = host([0xb0, 0x06, 0x02], [0xb0, 0x06, 0x07], [0xf2, 0x06, 0x03, 0x01, 0x09, 0x02]); // level 2, level 7; levels [1, 9, 2]
    expect(getExtension(h, ext.level)).toBe(ext.Level.LEVEL_HIGH);
    expect(getExtension(h, ext.levels)).toEqual([1, 2]);
  });

  test("a field of the extension's number with another wire type is not its value", () => {
    const h = host([0xa5, 0x06, 1, 0, 0, 0]); // count (a varint) as a fixed32
    expect(hasExtension(h, ext.count)).toBe(false);
    expect(getExtension(h, ext.count)).toBe(0);
    expect(encodeProtobuf(ext.Host, h)).toEqual(bytes(0xa5, 0x06, 1, 0, 0, 0)); // still kept
  });

  test("extensions survive decode and encode unchanged", () => {
    const encoded = encodeProtobuf(ext.Host, hostWithAll());
    const back = decodeProtobuf(ext.Host, encoded);
    expect(hex(encodeProtobuf(ext.Host, back))).toBe(hex(encoded));
  });

  test("setExtension replaces its number's fields, keeps the others in number order; clearExtension removes them", () => {
    const h = host([0x08, 0x01], [0xa0, 0x06, 0x01], [0xd8, 0x06, 0x05], [0xa0, 0x06, 0x02], [0xc0, 0x0c, 0x03]);
    // Kept unknown fields of other numbers: 1 and 107 as varints (Host.name and tags are strings).
    setExtension(h, ext.samples, [4]);
    setExtension(h, ext.count, 9);
    expect(getExtension(h, ext.count)).toBe(9);
    expect(getExtension(h, ext.samples)).toEqual([4]);
    expect(h.$unknown!.map(hex)).toEqual(["0801", "a00609", "d2060104", "d80605", "c00c03"]);
    setExtension(h, ext.samples, []); // an empty repeated field writes nothing
    expect(hasExtension(h, ext.samples)).toBe(false);
    clearExtension(h, ext.count);
    clearExtension(h, ext.Scope_count);
    expect(h.$unknown!.map(hex)).toEqual(["0801", "d80605"]);
  });

  test("$unknown is replaced, not changed in place", () => {
    const h = host([0xa0, 0x06, 0x01]);
    const before = h.$unknown!;
    setExtension(h, ext.count, 2);
    expect(before.map(hex)).toEqual(["a00601"]);
    clearExtension(h, ext.count);
    expect(h.$unknown).toBeUndefined();
  });

  test("extensions of an imported message, declared in a message and at top level", () => {
    const r = legacy.Record$.create({ id: 1 });
    setExtension(r, ext.Scope_note, "n");
    setExtension(r, ext.deltas, [-1, 1]);
    setExtension(r, ext.kind_ext, legacy.Kind.KIND_A);
    const back = decodeProtobuf(legacy.Record$, encodeProtobuf(legacy.Record$, r));
    expect(getExtension(back, ext.Scope_note)).toBe("n");
    expect(getExtension(back, ext.deltas)).toEqual([-1, 1]);
    expect(getExtension(back, ext.kind_ext)).toBe(legacy.Kind.KIND_A);
    expect(ext.Scope_count.field.no).toBe(200);
    expect(ext.count.field.no).toBe(100);
  });
});

describe("errors", () => {
  test("a message of another type than the extendee is refused with INVALID_STATE", () => {
    const other = legacy.Record$.create({ id: 1 }) as unknown as ext.Host;
    for (const call of [
      () => getExtension(other, ext.count), () => setExtension(other, ext.count, 1),
      () => hasExtension(other, ext.count), () => clearExtension(other, ext.count),
    ]) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KitewireError);
      expect((error as KitewireError).code).toBe(ErrorCode.INVALID_STATE);
      expect((error as KitewireError).details).toEqual({ extension: "extensions.count", extendee: "extensions.Host" });
    }
    expect(() => getExtension(null as unknown as ext.Host, ext.count)).toThrow(KitewireError);
  });

  test("a value that does not fit its type is refused with INVALID_VALUE, and the message is unchanged", () => {
    const h = ext.Host.create();
    setExtension(h, ext.count, 1);
    expect(() => setExtension(h, ext.count, 2 ** 31)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_VALUE }));
    expect(() => setExtension(h, ext.ids, [-1])).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_VALUE }));
    expect(getExtension(h, ext.count)).toBe(1);
  });
});

describe("generator", () => {
  const proto = (files: Record<string, string>) => {
    const readFile = (path: string) => files[path];
    return generate(Object.keys(files).slice(0, 1), { version: "test", readFile });
  };

  test("every extend block gives a constant: top-level names as written, nested ones qualified by their message", () => {
    const r = proto({
      "a.proto": `syntax = "proto2"; package p;
        message M { extensions 10 to 20; message In { extend M { repeated int32 x = 11 [packed = true]; } } }
        extend M { optional M x = 10; }`,
    });
    expect(r.ok, r.messages.join("\n")).toBe(true);
    const out = r.files[0]!.content;
    expect(out).toContain("export const x: ProtobufExtension<M, M> = {");
    expect(out).toContain("export const M_In_x: ProtobufExtension<M, number[]> = {");
    expect(out).toContain('typeName: "p.M.In.x",');
    expect(out).toContain('type: { kind: "scalar", type: "int32" }, repeated: true, packed: true');
  });

  test("rpc names that differ only in case get distinct names, and the output passes tsc --strict", () => {
    const r = proto({
      "s.proto": `syntax = "proto3"; package s; message M {}
        service S { rpc Get(M) returns (M); rpc get(M) returns (M); rpc GetAll(M) returns (M); }`,
    });
    expect(r.ok, r.messages.join("\n")).toBe(true);
    const out = r.files[0]!.content;
    expect(out).toContain('Get: { name: "Get", kind: "unary", input: M, output: M },');
    expect(out).toContain('get: { name: "get", kind: "unary", input: M, output: M },');
    expect(out).toContain('getAll: { name: "GetAll",');
    const dir = mkdtempSync(join(tmpdir(), "kitewire-rpc-names-"));
    try {
      const file = join(dir, "gen", r.files[0]!.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, out);
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: {
          target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: ["node"],
          strict: true, noEmit: true, skipLibCheck: true, paths: { kitewire: [resolve("src/runtime/node/index.ts")] },
          typeRoots: [resolve("node_modules/@types")],
        },
        include: ["gen/**/*.ts"],
      }));
      const tsc = resolve("node_modules/typescript/bin/tsc");
      let output = "";
      try {
        execFileSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8" });
      } catch (error) {
        output = (error as { stdout?: string }).stdout ?? String(error);
      }
      expect(output).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
