/**
 * The Thrift readers step over scalar values (and, in Compact, strings) in JS rather than
 * through the engine's walk: each must accept exactly what the engine's skip of the same
 * type accepts and end at the same byte, for any bytes; and a kept unknown field holds
 * exactly the bytes stepped over.
 */
import fc from "fast-check";
import { beforeAll, expect, test } from "vitest";
import {
  init, type Engine, KitewireError, ThriftBinaryReader, ThriftCompactReader, TType,
} from "../../src/runtime/node/index.js";
import { TO_COMPACT } from "../../src/codec/thrift/compact-types.js";

let engine: Engine;
beforeAll(async () => {
  engine = await init();
});

const SCALARS = [TType.BOOL, TType.BYTE, TType.I16, TType.I32, TType.I64, TType.DOUBLE, TType.UUID, TType.STRING];

/** Where the engine's skip of one `type` value at the start of `bytes` ends, or "rejected". */
function engineSkip(protocol: "binary" | "compact", bytes: Uint8Array, type: TType): number | "rejected" {
  const at = engine.alloc(Math.max(bytes.length, 1));
  try {
    engine.u8.set(bytes, at);
    const end = at + bytes.length;
    const result = protocol === "binary"
      ? engine.exports.thriftBinarySkip(at, end, type, 64)
      : engine.exports.thriftCompactSkip(at, end, TO_COMPACT[type]!, 64);
    return result < 0 ? "rejected" : result - at;
  } finally {
    engine.release(at);
  }
}

/** Where the reader's skip (or, with `keep`, readUnknown) ends, or "rejected"; a kept field's bytes must be those stepped over. */
function readerSkip(protocol: "binary" | "compact", bytes: Uint8Array, type: TType, keep: boolean): number | "rejected" {
  const r = protocol === "binary" ? new ThriftBinaryReader({ keepUnknown: keep }) : new ThriftCompactReader({ keepUnknown: keep });
  try {
    r.load(bytes);
    if (keep) {
      const field = r.readUnknown(type);
      expect([...field.bytes]).toEqual([...bytes.subarray(0, r.offset)]);
    } else {
      r.skip(type);
    }
    return r.offset;
  } catch (error) {
    if (!(error instanceof KitewireError)) throw error;
    expect(error.offset).toBeGreaterThanOrEqual(0);
    return "rejected";
  } finally {
    r.dispose();
  }
}

// Bytes biased toward varint continuation bytes and short lengths, from a Buffer (as a socket gives them) or a plain array.
const input = fc.tuple(
  fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xff, 0x00, 0x01, 0x7f)), { maxLength: 24 }),
  fc.boolean(),
).map(([b, buffer]) => (buffer ? Buffer.from(b) : Uint8Array.from(b)));

for (const protocol of ["binary", "compact"] as const) {
  test(`${protocol}: skipping a scalar or string accepts and ends as the engine's skip does`, () => {
    fc.assert(fc.property(input, fc.constantFrom(...SCALARS), fc.boolean(), (bytes, type, keep) => {
      expect(readerSkip(protocol, bytes, type, keep)).toBe(engineSkip(protocol, bytes, type));
    }), { numRuns: 3000 });
  });
}

test("the edges: empty input, a varint of the longest length and one byte longer, a string that runs past the input", () => {
  const cases: [TType, number[]][] = [
    [TType.I32, []], [TType.I32, [0xff, 0xff, 0xff, 0xff, 0x0f]], [TType.I32, [0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [TType.I64, [...Array(9).fill(0xff), 0x01]], [TType.I64, [...Array(10).fill(0xff), 0x01]], [TType.I64, Array(10).fill(0xff)],
    [TType.STRING, [0x03, 0x61, 0x62]], [TType.STRING, [0x02, 0x61, 0x62]], [TType.STRING, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    [TType.DOUBLE, Array(7).fill(0)], [TType.UUID, Array(16).fill(0)],
  ];
  for (const [type, b] of cases) {
    for (const protocol of ["binary", "compact"] as const) {
      const bytes = Uint8Array.from(b);
      expect(readerSkip(protocol, bytes, type, false), `${protocol} ${type} ${b}`).toBe(engineSkip(protocol, bytes, type));
    }
  }
});
