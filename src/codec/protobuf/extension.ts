/**
 * Protobuf extensions: generated code gives each extension field a `ProtobufExtension`
 * constant, and these functions read and write its value in the message's `$unknown`,
 * where decoding keeps extension fields (generated decoders keep every field they do not
 * know, as it came on the wire). The bytes are the value: nothing is kept beside the
 * message, so it encodes, decodes and copies with its extensions as before, and reading
 * an extension decodes it each time.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import { getEngine } from "../../wasm/load.js";
import { perEngine } from "../../wasm/per-engine.js";
import { defaultOf } from "./defaults.js";
import { packable, readPacked, readScalar, wireTypeOf, writePacked, writeValue, type Element } from "./field-io.js";
import { decodeGroup, decodeNested, type ProtobufField, type ProtobufMessageCodec } from "./message.js";
import { ProtobufReader } from "./reader.js";
import { WireType } from "./wire-type.js";
import { ProtobufWriter } from "./writer.js";

/**
 * An extension field, as generated code describes it: `typeName` is its full name
 * (`pkg.Scope.name`), `extendee` the codec of the message it extends, and `field` its
 * number and type in the shape message field tables use (`localName` is the name of the
 * generated constant; `presence` is true unless repeated). `V` is the value's TypeScript
 * type: an element type for singular fields, an array for repeated ones.
 */
export interface ProtobufExtension<E, V> {
  readonly typeName: string;
  readonly extendee: ProtobufMessageCodec<E>;
  readonly field: ProtobufField;
  /** Never set: it carries `V` for TypeScript. */
  readonly $value?: V;
}

/** What every generated message has: the fields it did not know, each one whole (tag and value). */
type Extendable = { $unknown?: Uint8Array[] };

const pool = perEngine((engine) => ({ writer: new ProtobufWriter({ engine }), reader: new ProtobufReader({ engine }) }));

/**
 * The value of `ext` in `message`: the last one on the wire for a singular scalar or enum,
 * all of them merged for a message, every element (packed or not) for a repeated field.
 * When absent: `[]` for a repeated field, else the `[default = ...]`, else the type's
 * default (0, `""`, empty bytes, the first enum value, an empty message). A closed enum
 * ignores numbers it does not declare, as protoc does. Throws INVALID_STATE when `message`
 * is not of the extendee's type (see `hasExtension`), or the reader's errors when a kept
 * value does not decode as the extension's type.
 */
export function getExtension<E extends Extendable, V>(message: E, ext: ProtobufExtension<E, V>): V {
  checkExtendee(message, ext);
  const f = ext.field;
  const type = f.type as Element;
  const values: unknown[] = [];
  let merged: unknown;
  const entries = entriesOf(message, ext);
  if (entries.length > 0) {
    const r = pool(getEngine()).reader.load(concat(entries)); // a fresh copy: bytes values may be views of it
    while (r.pos < r.end) {
      const tag = r.tag();
      if (type.kind === "message") {
        // A singular message that comes more than once is the pieces merged, in order.
        const into = f.repeated ? undefined : merged;
        const x = type.group ? decodeGroup(r, type.type(), tag, into) : decodeNested(r, type.type(), into);
        if (f.repeated) values.push(x);
        else merged = x;
      } else if ((tag & 7) === WireType.LEN && packable(type)) {
        for (const x of readPacked(r, type)) keep(values, type, x);
      } else {
        keep(values, type, type.kind === "enum" ? r.int32() : readScalar(r, type.type));
      }
    }
  }
  if (f.repeated) return values as V;
  if (type.kind === "message") return (merged ?? type.type().create()) as V;
  if (values.length > 0) return values[values.length - 1] as V;
  return defaultOf(f, type) as V;
}

/**
 * Sets `ext` in `message` to `value`: the unknown fields of its number are replaced by the
 * value written as protoc writes the field (packed or not as declared; nothing for an
 * empty repeated field), placed before the first unknown field with a higher number, so
 * extensions set in any order encode in number order, as protoc writes them. `$unknown`
 * is replaced, not changed in place (another message may share it). Throws INVALID_STATE
 * when `message` is not of the extendee's type, INVALID_VALUE when a value does not fit.
 */
export function setExtension<E extends Extendable, V>(message: E, ext: ProtobufExtension<E, V>, value: V): void {
  checkExtendee(message, ext);
  const f = ext.field;
  const type = f.type as Element;
  const w = pool(getEngine()).writer;
  const written: Uint8Array[] = [];
  const one = (x: unknown): void => {
    w.reset();
    writeValue(w, f.no, type, x);
    written.push(w.finish());
  };
  if (!f.repeated) one(value);
  else if (f.packed && packable(type)) {
    const list = value as unknown[];
    if (list.length > 0) {
      w.reset();
      w.tag(f.no, WireType.LEN);
      writePacked(w, type, list);
      written.push(w.finish());
    }
  } else for (const x of value as unknown[]) one(x);
  replace(message, f.no, written);
}

/**
 * Whether `message` holds a field of `ext`'s number with a wire type `ext` reads (one of
 * another wire type is an unknown field, not its value). Throws
 * INVALID_STATE when `message` is not of the extendee's type: messages are plain objects,
 * so that check is by shape (a property the extendee does not declare means another type),
 * and TypeScript catches the rest at compile time.
 */
export function hasExtension<E extends Extendable, V>(message: E, ext: ProtobufExtension<E, V>): boolean {
  checkExtendee(message, ext);
  return entriesOf(message, ext).length > 0;
}

/** Removes every unknown field of `ext`'s number from `message`. Throws as `hasExtension`. */
export function clearExtension<E extends Extendable, V>(message: E, ext: ProtobufExtension<E, V>): void {
  checkExtendee(message, ext);
  replace(message, ext.field.no, []);
}

/** The property names of each extendee's messages, for `checkExtendee`. */
const propertiesOf = new WeakMap<ProtobufMessageCodec<unknown>, Set<string>>();

function checkExtendee(message: Extendable, ext: ProtobufExtension<unknown, unknown>): void {
  const codec = ext.extendee as ProtobufMessageCodec<unknown>;
  let known = propertiesOf.get(codec);
  if (known === undefined) {
    known = new Set(["$unknown", ...codec.fields.map((f) => f.oneof ?? f.localName)]);
    propertiesOf.set(codec, known);
  }
  if (typeof message !== "object" || message === null) throw notExtendee(ext, "it is not an object");
  const stray = Object.keys(message).find((k) => !known.has(k));
  if (stray !== undefined) throw notExtendee(ext, `it has a property '${stray}' that ${codec.typeName} does not declare`);
}

function notExtendee(ext: ProtobufExtension<unknown, unknown>, why: string): KitewireError {
  const extendee = ext.extendee.typeName;
  return new KitewireError(ErrorCode.INVALID_STATE, `extension ${ext.typeName} extends ${extendee}; the message given is not one: ${why}`,
    { details: { extension: ext.typeName, extendee } });
}

/** The number of the field whose tag starts `entry`, and its wire type. */
function tagOf(entry: Uint8Array): { no: number; wireType: number } {
  let tag = 0;
  for (let i = 0, scale = 1; i < 5 && i < entry.length; i++, scale *= 128) {
    tag += (entry[i]! & 0x7f) * scale;
    if (entry[i]! < 0x80) break;
  }
  return { no: Math.floor(tag / 8), wireType: tag % 8 };
}

/** The kept unknown fields that are values of `ext`: its number, and a wire type it reads. */
function entriesOf(message: Extendable, ext: ProtobufExtension<unknown, unknown>): Uint8Array[] {
  const f = ext.field;
  const type = f.type as Element;
  const wireType = wireTypeOf(type);
  return (message.$unknown ?? []).filter((u) => {
    const t = tagOf(u);
    return t.no === f.no && (t.wireType === wireType || (f.repeated && packable(type) && t.wireType === WireType.LEN));
  });
}

/** Puts `written` in place of the unknown fields numbered `no`, before the first with a higher number. */
function replace(message: Extendable, no: number, written: Uint8Array[]): void {
  const rest = (message.$unknown ?? []).filter((u) => tagOf(u).no !== no);
  let at = rest.findIndex((u) => tagOf(u).no > no);
  if (at < 0) at = rest.length;
  const next = [...rest.slice(0, at), ...written, ...rest.slice(at)];
  if (next.length > 0) message.$unknown = next;
  else delete message.$unknown;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Adds a decoded scalar or enum value, unless a closed enum does not declare it. */
function keep(values: unknown[], type: Element, x: unknown): void {
  if (type.kind === "enum") {
    const info = type.type();
    if (info.closed && info.names[x as number] === undefined) return;
  }
  values.push(x);
}
