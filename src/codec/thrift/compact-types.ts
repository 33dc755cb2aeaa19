/** Conversions between Thrift types and the Compact protocol's own type ids. */
import { TType } from "./types.js";

/** Compact type id of each TType (index: TType; -1: no compact form). */
export const TO_COMPACT: readonly number[] = [0, -1, 1, 3, 7, -1, 4, -1, 5, -1, 6, 8, 12, 11, 10, 9, 13];

/** TType of each Compact type id (index: compact id; -1: unknown). */
/** Indexed by all 16 values of the 4-bit Compact type: -1 where none (14, 15); never out of bounds. */
export const FROM_COMPACT = Int8Array.of(
  TType.STOP, TType.BOOL, TType.BOOL, TType.BYTE, TType.I16, TType.I32, TType.I64, TType.DOUBLE,
  TType.STRING, TType.LIST, TType.SET, TType.MAP, TType.STRUCT, TType.UUID, -1, -1,
);

export const PROTOCOL_ID = 0x82;
export const VERSION = 1;
