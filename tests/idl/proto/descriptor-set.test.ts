/**
 * FileDescriptorSet reading. valid/corpus.binpb was compiled once from the .proto files
 * next to it with Debian's protoc 3.21 (the tests never run protoc):
 *
 *   protoc --include_imports --descriptor_set_out=tests/idl/proto/valid/corpus.binpb \
 *     -I tests/idl/proto/valid tests/idl/proto/valid/{common/money,common/types,legacy/v1,options/annotations,api/service}.proto
 *
 * The main test loads that set and the same .proto sources and compares the two trees
 * after normalizing what legitimately differs (file keys, how names were written,
 * option order, spans, docs). The well-known types in the set are Google's own files:
 * comparing them with kitewire's built-in texts checks that those declare the same
 * messages, fields, numbers, types and JSON names.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import type {
  OptionValue, ProtoEnum, ProtoExtend, ProtoField, ProtoFile, ProtoMessage, ProtoOption, ProtoRef, ProtoService, ProtoType,
} from "../../../src/idl/proto/ast.js";
import { loadDescriptorSet } from "../../../src/idl/proto/descriptor-set.js";
import { loadProto } from "../../../src/idl/proto/load.js";
import type { ProtoProgram } from "../../../src/idl/proto/program.js";
import { WireType, init, ProtobufWriter } from "../../../src/runtime/node/index.js";
import { heads } from "./helpers.js";

const validDir = fileURLToPath(new URL("./valid", import.meta.url));
const ROOTS = ["common/money.proto", "common/types.proto", "legacy/v1.proto", "options/annotations.proto", "api/service.proto"];

beforeAll(async () => {
  await init();
});

// ---------------------------------------------------------------------------------------
// Normalization: what must agree between a tree from sources and one from a descriptor.

/** Serializes the parts of the tree that descriptors carry, resolving file keys to import paths. */
class Normalizer {
  constructor(private readonly program: ProtoProgram) {}

  private path(key: string | undefined): string | undefined {
    return key === undefined ? undefined : this.program.files.get(key)?.importPath ?? `?${key}`;
  }

  ref(r: ProtoRef | undefined): string {
    return r ? `${this.path(r.file)}#${r.fullName}:${r.kind}` : "<unresolved>";
  }

  type(t: ProtoType): unknown {
    if (t.kind === "scalar") return t.name;
    if (t.kind === "named") return { named: this.ref(t.target) };
    return { map: t.key, value: this.type(t.value) };
  }

  value(v: OptionValue | undefined): unknown {
    if (v === undefined) return undefined;
    switch (v.kind) {
      case "int": return `int:${v.value}`;
      case "float": return `float:${Object.is(v.value, -0) ? "-0" : String(v.value)}`;
      case "string": return v.bytes ? `bytes:${[...v.bytes].join(",")}` : `string:${v.value}`;
      case "bool": return `bool:${v.value}`;
      case "identifier": return `identifier:${v.name}`;
      case "aggregate": return `aggregate:${v.text.replace(/\s+/g, " ").trim()}`;
    }
  }

  /** Options as `name = value`, custom names fully qualified, sorted by name (descriptors order them by number). */
  options(list: ProtoOption[] | undefined): unknown {
    const named = (list ?? []).map((o) => ({ name: o.extension ? o.name.replace(/^\([^)]*\)/, `(${o.extension})`) : o.name, o }));
    // A stable sort: repeated options keep their order.
    named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return named.map(({ name, o }) => `${name} = ${JSON.stringify(this.value(o.value))}`);
  }

  field(f: ProtoField): unknown {
    return {
      name: f.name, number: f.number, label: f.label, type: this.type(f.type), oneof: f.oneof, default: this.value(f.defaultValue),
      jsonName: f.jsonName, packed: f.packed, presence: f.presence, group: f.group ?? false, options: this.options(f.options),
    };
  }

  extend(x: ProtoExtend): unknown {
    return x.fields.map((f) => ({ extendee: this.ref(x.target), ...(this.field(f) as object) }));
  }

  enumeration(e: ProtoEnum): unknown {
    return {
      name: e.name, fullName: e.fullName, closed: e.closed, reserved: e.reserved, options: this.options(e.options),
      values: e.values.map((v) => ({ name: v.name, number: v.number, options: this.options(v.options) })),
    };
  }

  message(m: ProtoMessage): unknown {
    return {
      name: m.name, fullName: m.fullName, mapEntry: m.mapEntry ?? false, options: this.options(m.options),
      fields: m.fields.map((f) => this.field(f)),
      oneofs: m.oneofs.map((o) => ({ name: o.name, fields: o.fields, options: this.options(o.options) })),
      messages: m.messages.map((n) => this.message(n)), enums: m.enums.map((e) => this.enumeration(e)),
      extends: m.extends.flatMap((x) => this.extend(x) as unknown[]), reserved: m.reserved, extensionRanges: m.extensionRanges,
      extensionRangeOptions: m.extensionRangeOptions?.map((l) => this.options(l)),
    };
  }

  service(s: ProtoService): unknown {
    return {
      name: s.name, fullName: s.fullName, options: this.options(s.options),
      methods: s.methods.map((m) => ({
        name: m.name, input: this.ref(m.input.target), output: this.ref(m.output.target),
        clientStreaming: m.clientStreaming, serverStreaming: m.serverStreaming, options: this.options(m.options),
      })),
    };
  }

  file(f: ProtoFile): unknown {
    return {
      importPath: f.importPath, package: f.package, syntax: f.syntax, options: this.options(f.options),
      imports: f.imports.map((i) => ({ path: i.path, kind: i.kind, resolved: this.path(i.resolved) })),
      messages: f.messages.map((m) => this.message(m)), enums: f.enums.map((e) => this.enumeration(e)),
      services: f.services.map((s) => this.service(s)), extends: f.extends.flatMap((x) => this.extend(x) as unknown[]),
    };
  }

  /** Files by import path. */
  files(): Map<string, ProtoFile> {
    return new Map([...this.program.files.values()].map((f) => [f.importPath!, f]));
  }
}

function loadSources(): ProtoProgram {
  return loadProto(ROOTS.map((r) => `${validDir}/${r}`), {
    includeDirs: [validDir],
    readFile: (p) => (existsSync(p) ? readFileSync(p, "utf8") : undefined),
  });
}

function loadFixture(): ProtoProgram {
  return loadDescriptorSet(readFileSync(`${validDir}/corpus.binpb`));
}

// ---------------------------------------------------------------------------------------

describe("the protoc-compiled corpus", () => {
  test("sources and descriptor set both load without diagnostics", () => {
    expect(heads(loadSources().diagnostics)).toEqual([]);
    const set = loadFixture();
    expect(heads(set.diagnostics)).toEqual([]);
    expect(set.sources.size).toBe(0);
    expect(set.roots).toEqual(["legacy/v1.proto", "api/service.proto"]);
    expect([...set.files.keys()]).toEqual([
      "common/money.proto", "google/protobuf/duration.proto", "google/protobuf/timestamp.proto", "common/types.proto",
      "google/protobuf/descriptor.proto", "options/annotations.proto", "legacy/v1.proto", "google/protobuf/any.proto",
      "google/protobuf/empty.proto", "google/protobuf/field_mask.proto", "google/protobuf/struct.proto",
      "google/protobuf/wrappers.proto", "api/service.proto",
    ]);
  });

  test.each(ROOTS)("%s: the same tree from source and from the descriptor set", (root) => {
    const src = new Normalizer(loadSources());
    const set = new Normalizer(loadFixture());
    const a = src.files().get(root)!;
    const b = set.files().get(root)!;
    expect(src.file(a)).toEqual(set.file(b));
  });

  test("the built-in well-known types match Google's files field for field", () => {
    const src = new Normalizer(loadSources());
    const set = new Normalizer(loadFixture());
    const wkt = [...set.files().keys()].filter((p) => p.startsWith("google/") && p !== "google/protobuf/descriptor.proto");
    expect(wkt).toHaveLength(7);
    for (const path of wkt) {
      const ours = src.files().get(path)!;
      const theirs = set.files().get(path)!;
      expect(ours.package).toBe(theirs.package);
      expect(ours.syntax).toBe(theirs.syntax);
      expect(ours.messages.map((m) => src.message(m))).toEqual(theirs.messages.map((m) => set.message(m)));
      expect(ours.enums.map((e) => src.enumeration(e))).toEqual(theirs.enums.map((e) => set.enumeration(e)));
    }
  });

  test("the built-in descriptor.proto has every message, field and enum value of protoc 3.21's", () => {
    const src = new Normalizer(loadSources());
    const set = new Normalizer(loadFixture());
    const ours = src.files().get("google/protobuf/descriptor.proto")!;
    const theirs = set.files().get("google/protobuf/descriptor.proto")!;
    const index = (f: ProtoFile): Map<string, ProtoMessage | ProtoEnum> => {
      const out = new Map<string, ProtoMessage | ProtoEnum>();
      const walk = (m: ProtoMessage): void => {
        out.set(m.fullName, m);
        m.messages.forEach(walk);
        for (const e of m.enums) out.set(e.fullName, e);
      };
      f.messages.forEach(walk);
      for (const e of f.enums) out.set(e.fullName, e);
      return out;
    };
    const mine = index(ours);
    for (const [name, def] of index(theirs)) {
      const counterpart = mine.get(name);
      expect(counterpart?.kind, name).toBe(def.kind);
      if (def.kind === "message") {
        const fields = new Map((counterpart as ProtoMessage).fields.map((f) => [f.name, f]));
        for (const f of def.fields) {
          const g = fields.get(f.name);
          expect(g && { number: g.number, label: g.label, type: src.type(g.type), json: g.jsonName }, `${name}.${f.name}`)
            .toEqual({ number: f.number, label: f.label, type: set.type(f.type), json: f.jsonName });
        }
        expect((counterpart as ProtoMessage).extensionRanges).toEqual(def.extensionRanges);
      } else {
        const values = new Map((counterpart as ProtoEnum).values.map((v) => [v.name, v.number]));
        for (const v of def.values) expect(values.get(v.name), `${name}.${v.name}`).toBe(v.number);
      }
    }
  });

  test("descriptor-set trees carry what code generators need", () => {
    const set = loadFixture();
    const v1 = set.files.get("legacy/v1.proto")!;
    const record = v1.messages.find((m) => m.name === "Record")!;
    const blob = record.fields.find((f) => f.name === "blob")!;
    expect(blob.defaultValue).toMatchObject({ kind: "string", bytes: Uint8Array.from([0, 1, 255, 97, 98, 99]) });
    expect(record.fields.find((f) => f.name === "ratio")!.defaultValue).toMatchObject({ kind: "float", value: -Infinity });
    expect(record.fields.find((f) => f.name === "meta")).toMatchObject({ group: true, presence: true, type: { target: { fullName: "kitewire.legacy.Record.Meta" } } });
    expect(record.fields.find((f) => f.name === "packed_values")!.packed).toBe(true);
    expect(record.fields.find((f) => f.name === "plain_values")!.packed).toBe(false);
    expect(record.extensionRanges).toEqual([[100, 199], [1000, 536870911]]);
    const types = set.files.get("common/types.proto")!;
    const user = types.messages.find((m) => m.name === "User")!;
    expect(user.fields.find((f) => f.name === "age")).toMatchObject({ label: "optional", presence: true });
    expect(user.fields.find((f) => f.name === "age")!.oneof).toBeUndefined();
    expect(user.oneofs.map((o) => o.name)).toEqual(["contact"]);
    expect(user.fields.find((f) => f.name === "labels")!.type).toMatchObject({ kind: "map", key: "string", value: { kind: "scalar", name: "string" } });
    expect(user.fields.find((f) => f.name === "scores")!.packed).toBe(true);
    expect(user.fields.find((f) => f.name === "country_code")).toBeUndefined();
    const address = types.messages.find((m) => m.name === "Address")!;
    expect(address.fields.find((f) => f.name === "country_code")!.jsonName).toBe("country");
    expect(types.enums[0]).toMatchObject({ name: "Status", closed: false, reserved: { ranges: [[3, 3], [10, 20], [100, 2147483647]], names: ["STATUS_DELETED"] } });
    const service = set.files.get("api/service.proto")!.services[0]!;
    expect(service.methods.map((m) => [m.name, m.clientStreaming, m.serverStreaming])).toEqual([
      ["GetUser", false, false], ["ImportUsers", true, false], ["WatchEvents", false, true], ["Chat", true, true],
    ]);
    expect(service.methods[0]!.options).toContainEqual(expect.objectContaining({
      name: "(kitewire.options.policy)", extension: "kitewire.options.policy",
      value: expect.objectContaining({ kind: "aggregate", text: 'role: "reader" scopes: "users.read" level: LEVEL_PUBLIC' }),
    }));
  });
});

// ---------------------------------------------------------------------------------------
// Hand-built sets for the edges protoc does not produce.

/** A FileDescriptorSet of files given as `(w) => void` writers of FileDescriptorProto bodies. */
function descriptorSet(...files: ((w: ProtobufWriter) => void)[]): Uint8Array {
  const w = new ProtobufWriter();
  for (const body of files) {
    w.tag(1, WireType.LEN).fork();
    body(w);
    w.join();
  }
  const bytes = w.finish().slice();
  w.dispose();
  return bytes;
}

describe("hand-built descriptor sets", () => {
  test("an import missing from the set is reported; the rest still loads and resolves", () => {
    const bytes = descriptorSet((w) => {
      w.tag(1, WireType.LEN).string("a.proto").tag(2, WireType.LEN).string("pkg");
      w.tag(3, WireType.LEN).string("missing.proto");
      w.tag(12, WireType.LEN).string("proto3");
      // message M { M self = 1; }
      w.tag(4, WireType.LEN).fork().tag(1, WireType.LEN).string("M");
      w.tag(2, WireType.LEN).fork().tag(1, WireType.LEN).string("self").tag(3, WireType.VARINT).int32(1)
        .tag(4, WireType.VARINT).int32(1).tag(5, WireType.VARINT).int32(11).tag(6, WireType.LEN).string(".pkg.M").join();
      w.join();
    });
    const program = loadDescriptorSet(bytes);
    expect(heads(program.diagnostics)).toEqual([
      "a.proto:1:1: error: import 'missing.proto' is not in the descriptor set (build it with --include_imports)",
    ]);
    const m = program.files.get("a.proto")!.messages[0]!;
    expect(m.fields[0]).toMatchObject({ name: "self", label: "none", jsonName: "self", presence: true, type: { target: { fullName: "pkg.M", file: "a.proto" } } });
  });

  test("editions files: features decide presence, packing and closed enums", () => {
    const bytes = descriptorSet((w) => {
      w.tag(1, WireType.LEN).string("e.proto").tag(12, WireType.LEN).string("editions").tag(14, WireType.VARINT).int32(1000);
      // option features.enum_type = CLOSED (FileOptions.features = 50, FeatureSet.enum_type = 2)
      w.tag(8, WireType.LEN).fork().tag(50, WireType.LEN).fork().tag(2, WireType.VARINT).int32(2).join().join();
      w.tag(5, WireType.LEN).fork().tag(1, WireType.LEN).string("E")
        .tag(2, WireType.LEN).fork().tag(1, WireType.LEN).string("E_A").tag(2, WireType.VARINT).int32(1).join().join();
      w.tag(4, WireType.LEN).fork().tag(1, WireType.LEN).string("M");
      // int32 a = 1 [features.field_presence = IMPLICIT]; repeated int32 b = 2 [features.repeated_field_encoding = EXPANDED]; int32 c = 3;
      w.tag(2, WireType.LEN).fork().tag(1, WireType.LEN).string("a").tag(3, WireType.VARINT).int32(1).tag(4, WireType.VARINT).int32(1)
        .tag(5, WireType.VARINT).int32(5).tag(8, WireType.LEN).fork().tag(21, WireType.LEN).fork().tag(1, WireType.VARINT).int32(2).join().join().join();
      w.tag(2, WireType.LEN).fork().tag(1, WireType.LEN).string("b").tag(3, WireType.VARINT).int32(2).tag(4, WireType.VARINT).int32(3)
        .tag(5, WireType.VARINT).int32(5).tag(8, WireType.LEN).fork().tag(21, WireType.LEN).fork().tag(3, WireType.VARINT).int32(2).join().join().join();
      w.tag(2, WireType.LEN).fork().tag(1, WireType.LEN).string("c").tag(3, WireType.VARINT).int32(3).tag(4, WireType.VARINT).int32(1)
        .tag(5, WireType.VARINT).int32(5).join();
      w.tag(2, WireType.LEN).fork().tag(1, WireType.LEN).string("d").tag(3, WireType.VARINT).int32(4).tag(4, WireType.VARINT).int32(3)
        .tag(5, WireType.VARINT).int32(5).join();
      w.join();
    });
    const program = loadDescriptorSet(bytes);
    expect(heads(program.diagnostics)).toEqual([]);
    const file = program.files.get("e.proto")!;
    expect(file).toMatchObject({ syntax: "editions", edition: "2023" });
    expect(file.options).toEqual([expect.objectContaining({ name: "features.enum_type", value: expect.objectContaining({ kind: "identifier", name: "CLOSED" }) })]);
    expect(file.enums[0]!.closed).toBe(true);
    const [a, b, c, d] = file.messages[0]!.fields;
    expect([a!.presence, c!.presence]).toEqual([false, true]);
    expect([b!.packed, d!.packed]).toEqual([false, true]);
  });

  test("map_entry set on a message that is no map field's entry is an error; sent with the wrong wire type it is not read", () => {
    // Found by the descriptor-set fuzz target: a top-level message marked map_entry passed
    // the checks and the generator failed on it ("internal: unresolved type").
    const message = (w: ProtobufWriter, name: string, options: (w: ProtobufWriter) => void, body: (w: ProtobufWriter) => void = () => {}) => {
      w.tag(4, WireType.LEN).fork().tag(1, WireType.LEN).string(name);
      body(w);
      w.tag(7, WireType.LEN).fork();
      options(w);
      w.join().join();
    };
    const file = (...messages: ((w: ProtobufWriter) => void)[]) => descriptorSet((w) => {
      w.tag(1, WireType.LEN).string("m.proto").tag(2, WireType.LEN).string("pkg").tag(12, WireType.LEN).string("proto3");
      for (const m of messages) m(w);
    });
    const mapEntry = (w: ProtobufWriter) => w.tag(7, WireType.VARINT).bool(true); // MessageOptions.map_entry
    const int32Field = (w: ProtobufWriter, name: string, number: number) =>
      w.tag(2, WireType.LEN).fork().tag(1, WireType.LEN).string(name).tag(3, WireType.VARINT).int32(number)
        .tag(4, WireType.VARINT).int32(1).tag(5, WireType.VARINT).int32(5).join();
    const entryBody = (w: ProtobufWriter) => {
      int32Field(w, "key", 1);
      int32Field(w, "value", 2);
    };
    expect(heads(loadDescriptorSet(file((w) => message(w, "TopEntry", mapEntry, entryBody))).diagnostics)).toEqual([
      "m.proto:1:1: error: message 'pkg.TopEntry' has map_entry set but is not the entry of a map field of the message it is nested in " +
        "(map_entry is only for the entry messages of map<K, V> fields)",
    ]);
    // Nested, but no field of its parent uses it.
    const unused = file((w) => message(w, "M", () => {}, (w) => {
      int32Field(w, "x", 1);
      w.tag(3, WireType.LEN).fork().tag(1, WireType.LEN).string("XEntry");
      entryBody(w);
      w.tag(7, WireType.LEN).fork();
      mapEntry(w);
      w.join().join();
    }));
    expect(heads(loadDescriptorSet(unused).diagnostics)).toEqual([expect.stringContaining("message 'pkg.M.XEntry' has map_entry set")]);
    // map_entry as a length-delimited "1": protoc keeps it as an unknown field, so the message is a plain one.
    const wrongWire = loadDescriptorSet(file((w) => message(w, "Plain", (w) => w.tag(7, WireType.LEN).string("1"), entryBody)));
    expect(heads(wrongWire.diagnostics)).toEqual([]);
    expect(wrongWire.files.get("m.proto")!.messages[0]!.mapEntry).toBeUndefined();
  });

  test("malformed bytes are one diagnostic, not an exception", () => {
    const program = loadDescriptorSet(Uint8Array.from([0x0a, 0x05, 0x0a]));
    expect(heads(program.diagnostics)).toEqual([
      "<descriptor set>:1:1: error: malformed descriptor set: length 5 exceeds the 1 bytes left (at byte 1)",
    ]);
    expect(program.files.size).toBe(0);
  });
});
