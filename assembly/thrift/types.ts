/** Thrift type ids as the Binary protocol writes them (TType). */
export const enum TType {
  STOP = 0, VOID = 1, BOOL = 2, BYTE = 3, DOUBLE = 4, I16 = 6, I32 = 8, I64 = 10,
  STRING = 11, STRUCT = 12, MAP = 13, SET = 14, LIST = 15, UUID = 16,
}

/** Thrift type ids as the Compact protocol writes them. */
export const enum CType {
  STOP = 0, BOOL_TRUE = 1, BOOL_FALSE = 2, BYTE = 3, I16 = 4, I32 = 5, I64 = 6,
  DOUBLE = 7, BINARY = 8, LIST = 9, SET = 10, MAP = 11, STRUCT = 12, UUID = 13,
}

/** Hard ceiling on nesting for any skip, whatever the host asks (bounds the wasm stack). */
export const DEPTH_CEILING: i32 = 1000;
