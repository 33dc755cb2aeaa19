/**
 * Every NaN the writers emit is the canonical quiet NaN (src/codec/nan.ts), whatever sign
 * and payload the number carried, so encode(decode(x)) does not depend on whether V8 kept
 * a payload through optimized code (the protobuf fuzz target found it did not always).
 * The writers are run warm too, so that the optimized code is the one checked.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  init, ProtobufWriter, ThriftBinaryWriter, ThriftCompactWriter, WireType,
} from "../../src/runtime/node/index.js";

beforeAll(() => init());

/** A negative quiet NaN with payload 0x400000020, as the fuzz finding's input held. */
const bits = new Uint32Array([0x00000020, 0xfff80004]);
const payloadNaNs = new Float64Array(bits.buffer);
const PAYLOAD_NAN = payloadNaNs[0]!;
const CANONICAL_LE = [0, 0, 0, 0, 0, 0, 0xf8, 0x7f];
const CANONICAL_BE = [...CANONICAL_LE].reverse();
const CANONICAL_FLOAT_LE = [0, 0, 0xc0, 0x7f];

function repeat(n: number, bytes: number[]): number[] {
  return Array.from({ length: n }, () => bytes).flat();
}

/** Runs `write` cold once and then warm, returning the last output. */
function warm(write: () => Uint8Array): Uint8Array {
  let out = write();
  expect([...out]).toEqual([...write()]);
  for (let i = 0; i < 20_000; i++) out = write();
  return out;
}

test("the NaN used here really carries its sign and payload into a typed array", () => {
  expect(Number.isNaN(PAYLOAD_NAN)).toBe(true);
  const copy = new Float64Array(1);
  copy.set(payloadNaNs);
  expect([...new Uint8Array(copy.buffer)]).not.toEqual(CANONICAL_LE);
});

describe("Protobuf", () => {
  const pb = (fill: (w: ProtobufWriter) => void) => () => {
    const w = new ProtobufWriter();
    w.reset();
    fill(w);
    return w.finish();
  };

  test("double and float", () => {
    const out = warm(pb((w) => {
      w.tag(1, WireType.I64).double(PAYLOAD_NAN);
      w.tag(2, WireType.I32).float(PAYLOAD_NAN);
      w.tag(3, WireType.I64).double(-0.5);
    }));
    expect([...out]).toEqual([0x09, ...CANONICAL_LE, 0x15, ...CANONICAL_FLOAT_LE, 0x19, 0, 0, 0, 0, 0, 0, 0xe0, 0xbf]);
  });

  test("packed doubles and floats, from a Float64Array (copied bit for bit) and from an array", () => {
    const column = new Float64Array([1, PAYLOAD_NAN, PAYLOAD_NAN]);
    const out = warm(pb((w) => {
      w.tag(1, WireType.LEN).packedDouble(column);
      w.tag(2, WireType.LEN).packedDouble([PAYLOAD_NAN]);
      w.tag(3, WireType.LEN).packedFloat(column);
    }));
    expect([...out]).toEqual([
      0x0a, 24, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, ...repeat(2, CANONICAL_LE),
      0x12, 8, ...CANONICAL_LE,
      0x1a, 12, 0, 0, 0x80, 0x3f, ...repeat(2, CANONICAL_FLOAT_LE),
    ]);
  });
});

describe.each([
  // name, writer, canonical NaN, list<double> of 3 header, 2.0
  ["binary", () => new ThriftBinaryWriter(), CANONICAL_BE, [0x04, 0, 0, 0, 3], [0x40, 0, 0, 0, 0, 0, 0, 0]],
  ["compact", () => new ThriftCompactWriter(), CANONICAL_LE, [0x37], [0, 0, 0, 0, 0, 0, 0, 0x40]],
] as const)("Thrift %s", (_, make, canonical, listHeader, two) => {
  test("double and list<double>", () => {
    const out = warm(() => {
      const w = make();
      w.reset();
      w.writeDouble(PAYLOAD_NAN);
      w.writeDoubleList(new Float64Array([PAYLOAD_NAN, 2, PAYLOAD_NAN]));
      return w.finish();
    });
    expect([...out]).toEqual([...canonical, ...listHeader, ...canonical, ...two, ...canonical]);
  });
});
