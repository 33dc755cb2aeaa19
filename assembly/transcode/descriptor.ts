/**
 * The layout of type descriptors the host writes into engine memory once per loaded type
 * (src/generic/transcode/descriptor.ts writes them; keep the two in agreement). All
 * addresses are absolute; records never move.
 *
 * Type (16 bytes): kind u8 | ttype u8 | ctype u8 | flags u8 | a u32 | b u32.
 *   a: element type (list, set), key type (map), enum record, struct record; b: map value type.
 * Struct (16 bytes): kind u8 (0 struct, 1 union, 2 exception) | unsupported u8 | 2 pad | n u32 | fields u32.
 * Field (64 bytes): id i32 | type u32 | required u8 | hasAbsent u8 | absentBool u8 | ttype u8 |
 *   name, nameLen | key ("name": in JSON), keyLen | absent value as JSON, len |
 *   as Binary value bytes, len | as Compact value bytes, len.
 * Enum (8 bytes): n u32 | entries u32; entry (12 bytes): name u32 | nameLen u32 | value i32.
 */

export const enum Kind {
  BOOL = 1, BYTE = 2, I16 = 3, I32 = 4, I64 = 5, DOUBLE = 6, STRING = 7, BINARY = 8, UUID = 9,
  ENUM = 10, LIST = 11, SET = 12, MAP = 13, STRUCT = 14,
}

export const enum StructKind { STRUCT = 0, UNION = 1, EXCEPTION = 2 }

export const FIELD_SIZE: usize = 64;

// @ts-ignore: decorator
@inline export function typeKind(t: usize): u32 { return load<u8>(t); }
// @ts-ignore: decorator
@inline export function typeTType(t: usize): u32 { return load<u8>(t, 1); }
// @ts-ignore: decorator
@inline export function typeCType(t: usize): u32 { return load<u8>(t, 2); }
// @ts-ignore: decorator
@inline export function typeA(t: usize): usize { return <usize>load<u32>(t, 4); }
// @ts-ignore: decorator
@inline export function typeB(t: usize): usize { return <usize>load<u32>(t, 8); }

// @ts-ignore: decorator
@inline export function structKind(s: usize): u32 { return load<u8>(s); }
// @ts-ignore: decorator
@inline export function structUnsupported(s: usize): bool { return load<u8>(s, 1) != 0; }
// @ts-ignore: decorator
@inline export function structCount(s: usize): usize { return <usize>load<u32>(s, 4); }
// @ts-ignore: decorator
@inline export function structField(s: usize, i: usize): usize { return <usize>load<u32>(s, 8) + i * FIELD_SIZE; }

// @ts-ignore: decorator
@inline export function fieldId(f: usize): i32 { return load<i32>(f); }
// @ts-ignore: decorator
@inline export function fieldType(f: usize): usize { return <usize>load<u32>(f, 4); }
// @ts-ignore: decorator
@inline export function fieldRequired(f: usize): bool { return load<u8>(f, 8) != 0; }
// @ts-ignore: decorator
@inline export function fieldHasAbsent(f: usize): bool { return load<u8>(f, 9) != 0; }
// @ts-ignore: decorator
@inline export function fieldAbsentBool(f: usize): u32 { return load<u8>(f, 10); }
// @ts-ignore: decorator
@inline export function fieldTType(f: usize): u32 { return load<u8>(f, 11); }
// @ts-ignore: decorator
@inline export function fieldName(f: usize): usize { return <usize>load<u32>(f, 12); }
// @ts-ignore: decorator
@inline export function fieldNameLen(f: usize): usize { return <usize>load<u32>(f, 16); }
// @ts-ignore: decorator
@inline export function fieldKey(f: usize): usize { return <usize>load<u32>(f, 20); }
// @ts-ignore: decorator
@inline export function fieldKeyLen(f: usize): usize { return <usize>load<u32>(f, 24); }
// @ts-ignore: decorator
@inline export function fieldAbsentJson(f: usize): usize { return <usize>load<u32>(f, 28); }
// @ts-ignore: decorator
@inline export function fieldAbsentJsonLen(f: usize): usize { return <usize>load<u32>(f, 32); }
// @ts-ignore: decorator
@inline export function fieldAbsentBytes(f: usize, compact: bool): usize { return <usize>(compact ? load<u32>(f, 44) : load<u32>(f, 36)); }
// @ts-ignore: decorator
@inline export function fieldAbsentBytesLen(f: usize, compact: bool): usize { return <usize>(compact ? load<u32>(f, 48) : load<u32>(f, 40)); }

// @ts-ignore: decorator
@inline export function enumCount(e: usize): usize { return <usize>load<u32>(e); }
// @ts-ignore: decorator
@inline export function enumEntry(e: usize, i: usize): usize { return <usize>load<u32>(e, 4) + i * 12; }

/**
 * The index of the field named by the `n` bytes at `p`, or -1. Field `hint` is tried first:
 * JSON keys mostly come in IDL order, so the field after the last one found.
 */
export function fieldByName(s: usize, p: usize, n: usize, hint: usize): isize {
  const count = structCount(s);
  if (hint < count) {
    const f = structField(s, hint);
    if (fieldNameLen(f) == n && memory.compare(fieldName(f), p, n) == 0) return <isize>hint;
  }
  for (let i: usize = 0; i < count; i++) {
    const f = structField(s, i);
    if (fieldNameLen(f) == n && memory.compare(fieldName(f), p, n) == 0) return <isize>i;
  }
  return -1;
}

/** The index of the field with id `id`, or -1. */
export function fieldById(s: usize, id: i32): isize {
  const count = structCount(s);
  for (let i: usize = 0; i < count; i++) if (fieldId(structField(s, i)) == id) return <isize>i;
  return -1;
}

/** The number of enum value name `n` bytes at `p`; sets `enumFound`. */
export let enumFound = false;
export function enumByName(e: usize, p: usize, n: usize): i32 {
  const count = enumCount(e);
  for (let i: usize = 0; i < count; i++) {
    const x = enumEntry(e, i);
    if (<usize>load<u32>(x, 4) == n && memory.compare(<usize>load<u32>(x), p, n) == 0) {
      enumFound = true;
      return load<i32>(x, 8);
    }
  }
  enumFound = false;
  return 0;
}
