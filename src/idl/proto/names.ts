/**
 * Names protoc derives from field names, computed the same way so sources and
 * descriptor sets agree: the JSON name and the name of a map field's entry message.
 */

/** lowerCamelCase as protoc computes it: drop each `_` and uppercase the character after it. */
export function toJsonName(name: string): string {
  let out = "";
  let upper = false;
  for (const ch of name) {
    if (ch === "_") upper = true;
    else {
      out += upper ? ch.toUpperCase() : ch;
      upper = false;
    }
  }
  return out;
}

/** The entry message of map field `name`: `my_map` → `MyMapEntry` (ASCII letters only are uppercased). */
export function mapEntryName(name: string): string {
  let out = "";
  let upper = true;
  for (const ch of name) {
    if (ch === "_") upper = true;
    else {
      out += upper && ch >= "a" && ch <= "z" ? ch.toUpperCase() : ch;
      upper = false;
    }
  }
  return out + "Entry";
}

/** Scalar type keywords. */
export const SCALAR_TYPES = new Set([
  "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
  "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
]);

/** Largest field number (2^29 - 1). */
export const MAX_FIELD_NUMBER = 536870911;

/** Largest enum value (int32). */
export const MAX_ENUM_VALUE = 2147483647;
