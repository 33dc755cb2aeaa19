/**
 * Inputs the fuzzers found that broke a decoder, each kept as a test of its fix
 * (tests/fuzz/README.md lists them).
 */
import { beforeAll, expect, test } from "vitest";
import { KitewireError, decodeThrift, type Engine } from "kitewire";
import { User } from "../golden/thrift/gen/example.js";
import { fuzzEngine } from "./engine.js";

let engine: Engine;
beforeAll(() => {
  engine = fuzzEngine();
});

const bytes = (...b: number[]) => Uint8Array.from(b);

test("decodeThrift with options returns its reader's engine copy when the input is malformed", () => {
  // Found by thrift-binary and thrift-compact: a struct with an unknown field (skipped in
  // the engine, so the input is copied into engine memory), then cut short. The reader made
  // for the options was disposed only on success: one engine block leaked per bad input.
  const unknownThenCut = { binary: bytes(0x0b, 0x03, 0xe7, 0, 0, 0, 2, 0x61, 0x62), compact: bytes(0x0b, 0xce, 0x0f, 2, 0x61, 0x62) };
  for (const [protocol, input] of Object.entries(unknownThenCut) as ["binary" | "compact", Uint8Array][]) {
    for (const keepUnknown of [false, true]) {
      const live = engine.exports.liveBlockCount();
      for (let i = 0; i < 10; i++) {
        expect(() => decodeThrift(User, input, protocol, { keepUnknown })).toThrow(KitewireError);
      }
      expect(engine.exports.liveBlockCount(), `${protocol}, keepUnknown ${keepUnknown}`).toBe(live);
    }
  }
});
