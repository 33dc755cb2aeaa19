/** Per-scalar facts the Protobuf generator needs: wire type, reader/writer methods, defaults. */
import type { ScalarType } from "../../idl/proto/ast.js";

export interface ScalarInfo {
  wireType: number;
  /** ProtobufWriter/ProtobufReader method for one value. */
  method: string;
  /** ProtobufWriter/ProtobufReader method for a packed column, if the type packs. */
  packed?: string;
  /** ProtobufReader method appending a packed column to a number[], where there is one (cheaper than `packed`). */
  append?: string;
  /** The proto3 default as TypeScript (`emptyBytes()` is a runtime import: see `zero` in messages.ts). */
  zero: string;
  /** An expression that is true when `x` is not the default (so proto3 writes it). */
  nonDefault: (x: string) => string;
}

const number = (method: string, wireType: number, packed: string): ScalarInfo => ({
  wireType, method, packed, zero: "0", nonDefault: (x) => `${x} !== 0`,
});
const bigint = (method: string, wireType: number, packed: string): ScalarInfo => ({
  wireType, method, packed, zero: "0n", nonDefault: (x) => `${x} !== 0n`,
});
// Floating point: -0 differs from the default bit for bit, and protoc writes it.
const float = (method: string, wireType: number, packed: string): ScalarInfo => ({
  wireType, method, packed, zero: "0", nonDefault: (x) => `(${x} !== 0 || Object.is(${x}, -0))`,
});

export const SCALARS: Record<ScalarType, ScalarInfo> = {
  double: float("double", 1, "packedDouble"),
  float: float("float", 5, "packedFloat"),
  int32: { ...number("int32", 0, "packedInt32"), append: "appendPackedInt32" },
  uint32: { ...number("uint32", 0, "packedUint32"), append: "appendPackedUint32" },
  sint32: { ...number("sint32", 0, "packedSint32"), append: "appendPackedSint32" },
  fixed32: number("fixed32", 5, "packedFixed32"),
  sfixed32: number("sfixed32", 5, "packedSfixed32"),
  int64: bigint("int64", 0, "packedInt64"),
  uint64: bigint("uint64", 0, "packedUint64"),
  sint64: bigint("sint64", 0, "packedSint64"),
  fixed64: bigint("fixed64", 1, "packedFixed64"),
  sfixed64: bigint("sfixed64", 1, "packedSfixed64"),
  bool: { wireType: 0, method: "bool", packed: "packedBool", zero: "false", nonDefault: (x) => `${x} !== false` },
  string: { wireType: 2, method: "string", zero: '""', nonDefault: (x) => `${x} !== ""` },
  bytes: { wireType: 2, method: "bytes", zero: "emptyBytes()", nonDefault: (x) => `${x}.length !== 0` },
};

/** The varint value of a tag. */
export function tag(no: number, wireType: number): number {
  return no * 8 + wireType;
}
