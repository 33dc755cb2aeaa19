/**
 * Type descriptors in engine memory: what the engine transcoder reads to know a struct's
 * fields, their types, names and absent values. Written once per struct (and what it
 * reaches) per engine, then cached; the layout is assembly/transcode/descriptor.ts's.
 */
import { encodeThrift } from "../../codec/thrift/struct.js";
import type { Engine } from "../../wasm/engine.js";
import { perEngine } from "../../wasm/per-engine.js";
import { absentValue, structCodec, ttypeOf } from "../thrift/codec.js";
import type {
  ThriftEnumDescriptor, ThriftFieldDescriptor, ThriftStructDescriptor, ThriftTypeDescriptor,
} from "../thrift/descriptor.js";
import { thriftValueToJson } from "../thrift/json.js";

const KIND: Record<ThriftTypeDescriptor["kind"], number> = {
  bool: 1, byte: 2, i16: 3, i32: 4, i64: 5, double: 6, string: 7, binary: 8, uuid: 9,
  enum: 10, list: 11, set: 12, map: 13, struct: 14,
};
/** Compact type ids by TType. */
const TO_COMPACT = [0, -1, 1, 3, 7, -1, 4, -1, 5, -1, 6, 8, 12, 11, 10, 9, 13];
const STRUCT_KIND = { struct: 0, union: 1, exception: 2 } as const;
const TYPE_SIZE = 16;
const STRUCT_SIZE = 16;
const FIELD_SIZE = 64;
const utf8 = new TextEncoder();

/**
 * Field names the JS path cannot take as plain keys (they name properties every object
 * has, or that an exception defines): a struct with one is left to the JS path.
 */
function awkwardName(desc: ThriftStructDescriptor, name: string): boolean {
  return name in Object.prototype || (desc.kind === "exception" && (name === "typeName" || name === "stack"));
}

/** Lays records out in one buffer; addresses are relative until `place` adds the block's. */
class Layout {
  private buf = new Uint8Array(1024);
  dv = new DataView(this.buf.buffer);
  size = 0;
  /** Offsets of address words (relocated by `place`). */
  private readonly pointers: number[] = [];
  private readonly types = new Map<ThriftTypeDescriptor, number>();
  readonly structs = new Map<ThriftStructDescriptor, number>();
  private readonly enums = new Map<ThriftEnumDescriptor, number>();
  private readonly pending: ThriftStructDescriptor[] = [];

  alloc(n: number): number {
    const at = (this.size + 7) & ~7;
    if (at + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      next.set(this.buf);
      this.buf = next;
      this.dv = new DataView(next.buffer);
    }
    this.size = at + n;
    return at;
  }

  /** Writes an address word at `at` pointing to relative address `to`. */
  pointer(at: number, to: number): void {
    this.dv.setUint32(at, to, true);
    this.pointers.push(at);
  }

  bytes(b: Uint8Array): number {
    const at = this.alloc(b.length);
    this.buf.set(b, at);
    return at;
  }

  /** Writes bytes and the (address, length) pair at `at`. */
  blob(at: number, b: Uint8Array): void {
    const p = this.bytes(b);
    this.pointer(at, p);
    this.dv.setUint32(at + 4, b.length, true);
  }

  struct(s: ThriftStructDescriptor): number {
    let at = this.structs.get(s);
    if (at === undefined) {
      at = this.alloc(STRUCT_SIZE);
      this.structs.set(s, at);
      this.pending.push(s);
    }
    return at;
  }

  /** Fills in the structs reached so far (and those they reach). */
  finish(): void {
    for (let s = this.pending.pop(); s !== undefined; s = this.pending.pop()) this.fillStruct(s);
  }

  private fillStruct(s: ThriftStructDescriptor): void {
    const at = this.structs.get(s)!;
    let unsupported = false;
    const fields = this.alloc(FIELD_SIZE * s.fields.length);
    this.dv.setUint8(at, STRUCT_KIND[s.kind]);
    this.dv.setUint32(at + 4, s.fields.length, true);
    this.pointer(at + 8, fields);
    s.fields.forEach((f, i) => {
      const r = fields + i * FIELD_SIZE;
      if (awkwardName(s, f.name)) unsupported = true;
      this.dv.setInt32(r, f.id, true);
      this.pointer(r + 4, this.type(f.type));
      this.dv.setUint8(r + 8, f.requiredness === "required" ? 1 : 0);
      this.dv.setUint8(r + 11, ttypeOf(f.type));
      this.blob(r + 12, utf8.encode(f.name));
      this.blob(r + 20, utf8.encode(`${JSON.stringify(f.name)}:`));
      const absent = absentValue(f);
      if (absent === undefined) return;
      try {
        this.blob(r + 28, utf8.encode(JSON.stringify(thriftValueToJson(f.type, absent))));
        const binary = absentBytes(f, absent, "binary");
        const compact = absentBytes(f, absent, "compact");
        this.blob(r + 36, binary.subarray(3, binary.length - 1));
        this.blob(r + 44, compact.subarray(1, compact.length - 1));
        this.dv.setUint8(r + 9, 1);
        this.dv.setUint8(r + 10, absent === true ? 1 : 0);
      } catch {
        unsupported = true; // a default the JSON mapping cannot print: the JS path says so
      }
    });
    this.dv.setUint8(at + 1, unsupported ? 1 : 0);
  }

  private type(t: ThriftTypeDescriptor): number {
    let at = this.types.get(t);
    if (at !== undefined) return at;
    at = this.alloc(TYPE_SIZE);
    this.types.set(t, at);
    const ttype = ttypeOf(t);
    this.dv.setUint8(at, KIND[t.kind]);
    this.dv.setUint8(at + 1, ttype);
    this.dv.setUint8(at + 2, TO_COMPACT[ttype]!);
    switch (t.kind) {
      case "list": case "set": this.pointer(at + 4, this.type(t.element)); break;
      case "map": this.pointer(at + 4, this.type(t.key)); this.pointer(at + 8, this.type(t.value)); break;
      case "enum": this.pointer(at + 4, this.enumRecord(t.enum)); break;
      case "struct": this.pointer(at + 4, this.struct(t.struct)); break;
    }
    return at;
  }

  private enumRecord(e: ThriftEnumDescriptor): number {
    let at = this.enums.get(e);
    if (at !== undefined) return at;
    at = this.alloc(8);
    this.enums.set(e, at);
    const entries = this.alloc(12 * e.values.size);
    this.dv.setUint32(at, e.values.size, true);
    this.pointer(at + 4, entries);
    let i = 0;
    for (const [name, value] of e.values) {
      this.blob(entries + i * 12, utf8.encode(name));
      this.dv.setInt32(entries + i * 12 + 8, value, true);
      i++;
    }
    return at;
  }

  /** Copies the layout into a new engine block; returns the block's address. */
  place(engine: Engine): number {
    const base = engine.alloc(this.size);
    for (const p of this.pointers) this.dv.setUint32(p, this.dv.getUint32(p, true) + base, true);
    engine.u8.set(this.buf.subarray(0, this.size), base);
    return base;
  }
}

/** The bytes of a one-field struct (id 1) holding `value` in field `f`'s type. */
function absentBytes(f: ThriftFieldDescriptor, value: unknown, protocol: "binary" | "compact"): Uint8Array {
  const one: ThriftStructDescriptor = {
    name: "$absent", kind: "struct", fields: [{ id: 1, name: "v", type: f.type, requiredness: "default" }],
    get codec() {
      return codec;
    },
  };
  const codec = structCodec(one);
  return encodeThrift(codec, { v: value }, protocol);
}

/** Each engine's descriptor addresses, by struct. */
const placed = perEngine(() => new WeakMap<ThriftStructDescriptor, number>());

/**
 * The engine address of struct `desc`'s descriptor, written on first use (with every
 * struct it reaches, which are cached too).
 */
export function engineDescriptor(engine: Engine, desc: ThriftStructDescriptor): number {
  const cache = placed(engine);
  const known = cache.get(desc);
  if (known !== undefined) return known;
  const layout = new Layout();
  layout.struct(desc);
  layout.finish();
  const base = layout.place(engine);
  for (const [s, at] of layout.structs) if (!cache.has(s)) cache.set(s, base + at);
  return base + layout.structs.get(desc)!;
}
