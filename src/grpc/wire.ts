/**
 * A little Protobuf wire writer and reader for the few fixed messages gRPC itself needs
 * (google.rpc.Status, the reflection protocol, descriptors), so that they need neither
 * generated code nor the engine.
 */
import { ErrorCode, KitewireError } from "../errors.js";

const utf8 = new TextEncoder();

export function varint(out: number[], v: number): void {
  let n = BigInt.asUintN(64, BigInt(v));
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
}

export function bytesField(out: number[], tag: number, value: ArrayLike<number>): void {
  out.push(tag);
  varint(out, value.length);
  for (let i = 0; i < value.length; i++) out.push(value[i]!);
}

/** Calls `each` with every field of a message: varints as numbers, length-delimited ones as bytes; others skipped. */
export function readFields(bytes: Uint8Array, each: (field: number, value: number | Uint8Array) => void): void {
  let at = 0;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (at >= bytes.length) throw new KitewireError(ErrorCode.TRUNCATED, "protobuf: varint runs past the end", { offset: at });
      const b = bytes[at++]!;
      if (shift < 32) result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
      if (shift > 63) throw new KitewireError(ErrorCode.MALFORMED_VARINT, "protobuf: varint too long", { offset: at });
    }
  };
  while (at < bytes.length) {
    const start = at;
    const tag = readVarint();
    const field = tag >>> 3;
    switch (tag & 7) {
      case 0:
        each(field, readVarint());
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = readVarint();
        if (length < 0 || at + length > bytes.length) {
          throw new KitewireError(ErrorCode.TRUNCATED, "protobuf: field runs past the end", { offset: start });
        }
        each(field, bytes.subarray(at, at + length));
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new KitewireError(ErrorCode.UNKNOWN_TYPE, `protobuf: wire type ${tag & 7}`, { offset: start });
    }
    if (at > bytes.length) throw new KitewireError(ErrorCode.TRUNCATED, "protobuf: field runs past the end", { offset: start });
  }
}

/** Appends a string field. */
export function stringField(out: number[], field: number, value: string): void {
  bytesField(out, (field << 3) | 2, utf8.encode(value));
}

/** Appends a varint field. */
export function varintField(out: number[], field: number, value: number): void {
  out.push(field << 3);
  varint(out, value);
}
