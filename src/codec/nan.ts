/**
 * Every NaN kitewire writes (Thrift double, Protobuf double and float) is the canonical
 * quiet NaN: 0x7ff8000000000000 as a double, 0x7fc00000 as a float.
 *
 * Why: a JS number does not promise to keep a NaN's sign and payload. V8 keeps them
 * through plain loads and stores but may replace them with its own NaN in optimized code,
 * so the bytes written for a NaN read from the wire would depend on JIT state (the
 * protobuf fuzz target found encode(decode(x)) unstable that way; tests/fuzz/README.md).
 * Writing one NaN makes the output a function of the value alone. Go peers keep payloads;
 * no JS implementation can promise to, protobufjs included.
 */

/** `v`, or the canonical NaN if `v` is a NaN. */
export function canonicalNaN(v: number): number {
  return v === v ? v : NaN;
}

/** Replaces every NaN of `values` (a scratch copy about to be written) by the canonical NaN. */
export function canonicalizeNaNs(values: Float64Array | Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== values[i]) values[i] = NaN;
  }
}
