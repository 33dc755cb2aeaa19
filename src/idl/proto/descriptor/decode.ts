/**
 * A schema-driven protobuf decoder over kitewire's `ProtobufReader`: it reads a message
 * into a `Decoded` record using a `ProtoMessage` (from the built-in descriptor.proto, or
 * from the program being loaded) as the schema. It decodes descriptor sets and the
 * options inside them, where custom options are extension fields found through
 * `extensionOf`. Fields of the message types named in `raw` are kept as bytes, to be
 * decoded later with more knowledge (options need the program's extensions).
 */
import { ProtobufReader } from "../../../codec/protobuf/reader.js";
import { WireType } from "../../../codec/protobuf/wire-type.js";
import type { Engine } from "../../../wasm/engine.js";
import type { ProtoEnum, ProtoField, ProtoMessage, ScalarType } from "../ast.js";

/** A decoded value: scalars as JS values (enums as numbers), messages as records. */
export type Value = number | bigint | boolean | string | Uint8Array | Decoded;

/** A decoded message: values per field, under the field's name (`(full.name)` for extensions), in wire order. */
export interface Decoded {
  type: string;
  values: Map<string, Value[]>;
  /** The schema field of each entry of `values`. */
  fields: Map<string, ProtoField>;
}

/** Message and enum types by full name (no leading dot). */
export type TypeTable = ReadonlyMap<string, ProtoMessage | ProtoEnum>;

/** Finds the extension of `extendee` with `number`: its option name `(full.name)` and field. */
export type ExtensionOf = (extendee: string, number: number) => { name: string; field: ProtoField } | undefined;

/** What a field holds: a scalar, or a message or enum type from the table. */
export type FieldKind = { kind: "scalar"; name: ScalarType } | { kind: "message"; type: ProtoMessage } | { kind: "enum"; type: ProtoEnum };

/** The full name a named type refers to: its checker target, or its (absolute) name as descriptors write it. */
export const typeNameOf = (f: ProtoField): string | undefined =>
  f.type.kind === "named" ? f.type.target?.fullName ?? f.type.name.replace(/^\./, "") : undefined;

/** Classifies a schema field; undefined when its type is not in the table (or a map, which descriptors never have). */
export function fieldKind(f: ProtoField, table: TypeTable): FieldKind | undefined {
  if (f.type.kind === "scalar") return { kind: "scalar", name: f.type.name };
  const name = typeNameOf(f);
  const t = name === undefined ? undefined : table.get(name);
  if (t?.kind === "message") return { kind: "message", type: t };
  if (t?.kind === "enum") return { kind: "enum", type: t };
  return undefined;
}

/** How a scalar is read: its wire type and the reader's call. */
interface Scalar {
  readonly wire: number;
  readonly read: (r: ProtobufReader) => Value;
}

const SCALARS: Record<ScalarType, Scalar> = {
  double: { wire: WireType.I64, read: (r) => r.double() },
  fixed64: { wire: WireType.I64, read: (r) => r.fixed64() },
  sfixed64: { wire: WireType.I64, read: (r) => r.sfixed64() },
  float: { wire: WireType.I32, read: (r) => r.float() },
  fixed32: { wire: WireType.I32, read: (r) => r.fixed32() },
  sfixed32: { wire: WireType.I32, read: (r) => r.sfixed32() },
  int32: { wire: WireType.VARINT, read: (r) => r.int32() },
  int64: { wire: WireType.VARINT, read: (r) => r.int64() },
  uint32: { wire: WireType.VARINT, read: (r) => r.uint32() },
  uint64: { wire: WireType.VARINT, read: (r) => r.uint64() },
  sint32: { wire: WireType.VARINT, read: (r) => r.sint32() },
  sint64: { wire: WireType.VARINT, read: (r) => r.sint64() },
  bool: { wire: WireType.VARINT, read: (r) => r.bool() },
  string: { wire: WireType.LEN, read: (r) => r.string() },
  bytes: { wire: WireType.LEN, read: (r) => r.bytes() },
};

/**
 * How a field is read: as a scalar (enums as int32), or as a message (`raw`: kept as
 * bytes); `repeated` fields of numeric scalars also accept a packed run.
 */
interface Reading {
  readonly scalar: Scalar;
  readonly message?: ProtoMessage;
  readonly raw: boolean;
  readonly repeated: boolean;
}

/** Decodes messages of one schema table. */
export class Decoder {
  // Worked out once per type and field: a decoder reads many messages of the same few types.
  private readonly fieldsByNumber = new Map<ProtoMessage, Map<number, ProtoField>>();
  private readonly readings = new Map<ProtoField, Reading | undefined>();

  constructor(
    private readonly table: TypeTable,
    private readonly raw: ReadonlySet<string> = new Set(),
    private readonly extensionOf: ExtensionOf = () => undefined,
  ) {}

  /** Decodes `bytes` as a message of `type` with a fresh reader on `engine`. */
  decodeBytes(bytes: Uint8Array, type: ProtoMessage, engine?: Engine): Decoded {
    const reader = new ProtobufReader(engine ? { engine } : {}).load(bytes);
    try {
      return this.decode(reader, type);
    } finally {
      reader.dispose();
    }
  }

  /** Decodes from `r` up to its current end. */
  decode(r: ProtobufReader, type: ProtoMessage): Decoded {
    const out: Decoded = { type: type.fullName, values: new Map(), fields: new Map() };
    const byNumber = this.fieldsOf(type);
    while (r.pos < r.end) {
      const tag = r.tag();
      const number = tag >>> 3;
      const wire = tag & 7;
      let field = byNumber.get(number);
      let name = field?.name;
      if (!field) {
        const ext = this.extensionOf(type.fullName, number);
        field = ext?.field;
        name = ext?.name;
      }
      const reading = field ? this.readingOf(field) : undefined;
      if (reading && this.read(r, reading, wire, out, name!)) out.fields.set(name!, field!);
      else r.skip(tag);
    }
    return out;
  }

  private fieldsOf(type: ProtoMessage): Map<number, ProtoField> {
    let byNumber = this.fieldsByNumber.get(type);
    if (byNumber === undefined) this.fieldsByNumber.set(type, (byNumber = new Map(type.fields.map((f) => [f.number, f]))));
    return byNumber;
  }

  private readingOf(field: ProtoField): Reading | undefined {
    if (this.readings.has(field)) return this.readings.get(field);
    const kind = fieldKind(field, this.table);
    const repeated = field.label === "repeated";
    const reading: Reading | undefined = kind === undefined ? undefined
      : kind.kind === "message" ? { scalar: SCALARS.bytes, message: kind.type, raw: this.raw.has(kind.type.fullName), repeated }
      : { scalar: SCALARS[kind.kind === "enum" ? "int32" : kind.name], raw: false, repeated };
    this.readings.set(field, reading);
    return reading;
  }

  /** Reads one field value into `out`; false when the wire type does not fit (the caller skips it). */
  private read(r: ProtobufReader, reading: Reading, wire: number, out: Decoded, name: string): boolean {
    const { scalar, message } = reading;
    const expected = scalar.wire;
    // A different wire type is only acceptable as a packed run of a repeated numeric scalar;
    // anything else is an unknown field, as protoc reads it (a singular bool sent as bytes
    // must not read as true).
    if (wire !== expected && (wire !== WireType.LEN || expected === WireType.LEN || !reading.repeated)) return false;
    let list = out.values.get(name);
    if (!list) out.values.set(name, (list = []));
    if (message !== undefined) {
      if (reading.raw) {
        list.push(r.bytes());
        return true;
      }
      const saved = r.begin();
      list.push(this.decode(r, message));
      r.finish(saved);
      return true;
    }
    if (wire === expected) {
      list.push(scalar.read(r));
      return true;
    }
    // A packed run of a repeated scalar.
    const saved = r.begin();
    while (r.pos < r.end) list.push(scalar.read(r));
    r.finish(saved);
    return true;
  }
}

/** The last value of a field (singular fields take the last occurrence, as in protobuf). */
export function one<T extends Value>(d: Decoded, name: string): T | undefined {
  const list = d.values.get(name);
  return list && list.length > 0 ? (list[list.length - 1] as T) : undefined;
}

/** All values of a field. */
export function all<T extends Value>(d: Decoded, name: string): T[] {
  return (d.values.get(name) ?? []) as T[];
}
