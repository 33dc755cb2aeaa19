/**
 * Inputs the fuzzers found that broke a decoder, each kept as a test of its fix
 * (tests/fuzz/README.md lists them).
 */
import { beforeAll, expect, test } from "vitest";
import { ErrorCode, KitewireError, ThriftCompactReader, TType, decodeProtobuf, decodeThrift, encodeProtobuf, encodeThrift, type Engine } from "kitewire";
import { Packed } from "../interop/proto/gen/types3.js";
import { Address, User } from "../golden/thrift/gen/example.js";
import { fuzzEngine } from "./engine.js";
import { protoIdl, thriftIdl } from "./idl-targets.js";

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

test("an unknown empty list whose element type has no Compact form re-encodes in the other protocol", () => {
  // Found by thrift-compact: readers accept any element type on an empty list (peers write
  // 0 there; Binary carries any byte), so such a list was kept as an unknown field, but
  // writing it in the other protocol threw INVALID_VALUE "element type out of range: 0".
  for (const type of [0x00, 0x01, 0x4e]) {
    const binary = bytes(0x0f, 0x0f, 0x4e, type, 0, 0, 0, 0, 0x00); // field 3918: list<?> of 0 elements; STOP
    const value = decodeThrift(Address, binary, "binary", { keepUnknown: true });
    const compact = encodeThrift(Address, value, "compact");
    const again = decodeThrift(Address, compact, "compact", { keepUnknown: true });
    expect(encodeThrift(Address, again, "compact")).toEqual(compact);
    expect(decodeThrift(Address, encodeThrift(Address, again, "binary"), "binary")).toEqual(decodeThrift(Address, binary, "binary"));
  }
  const compactZero = bytes(0x09, 0x9c, 0x3d, 0x00, 0x00); // field 3918 (long form): list, header 0x00 (size 0, type 0); STOP
  const value = decodeThrift(Address, compactZero, "compact", { keepUnknown: true });
  expect(decodeThrift(Address, encodeThrift(Address, value, "binary"), "binary", { keepUnknown: true })).toBeDefined();
});

test("the engine's Compact skip refuses a map whose key type is 0 instead of skipping it as a list", () => {
  // Found by thrift-compact: the engine's skip took a map whose key/value byte has key type
  // 0 for a list of values (its "is a map" flag was a non-zero key type), so it accepted
  // malformed bytes, ended at the wrong place, and kept them as an unknown field that the
  // TS reader then refused when transcoding it (UNKNOWN_TYPE out of encodeThrift).
  const map = bytes(0x0b, 0xc8, 0x01, 0x01, 0x05, 0x02, 0x00); // field 100: map, 1 entry, key type 0, value i32; STOP
  const r = new ThriftCompactReader();
  r.load(map);
  expect(() => r.skip(TType.STRUCT)).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_TYPE, offset: 3 }));
  expect(() => decodeThrift(Address, map, "compact", { keepUnknown: true })).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_TYPE }));
  const message = bytes(0x82, 0x21, 0x01, 0x00, ...map);
  r.load(message);
  expect(() => r.validateMessage()).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_TYPE }));
});

test("a NaN with sign and payload is written as the canonical NaN, so encode(decode(x)) is stable whatever V8 does to it", () => {
  // Found by protobuf: interop.p3.Packed's p_double held 0xfff8000400000020. The first
  // encode kept the payload, the second (by then optimized) wrote V8's own NaN, so
  // encode(decode(encode(decode(x)))) differed from encode(decode(x)) depending on JIT
  // state. Writers now emit one NaN (src/codec/nan.ts); tests/unit/nan.test.ts covers
  // every double and float write.
  const input = bytes(0x0a, 0x08, 0x20, 0, 0, 0, 0x04, 0, 0xf8, 0xff, 0x15, 0x01, 0x00, 0xc0, 0xff);
  const canonical = [0x0a, 0x08, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0x12, 0x04, 0, 0, 0xc0, 0x7f];
  for (let i = 0; i < 5_000; i++) {
    const once = encodeProtobuf(Packed, decodeProtobuf(Packed, input));
    expect([...encodeProtobuf(Packed, decodeProtobuf(Packed, once))]).toEqual(canonical);
    if (i === 0) expect([...once]).toEqual(canonical);
  }
});

test("a Compact field id delta past 32767 wraps to a negative i16, as peers read it, instead of keeping an id no writer accepts", () => {
  // Found by thrift-compact: an unknown field at id 32767 (long form), then a field in
  // short form with delta 3. The reader kept it as field 32770, which encodeThrift then
  // refused (INVALID_VALUE "field id out of range") outside any decode: a value that
  // decoded could not be encoded. Go and Java add the delta in int16 and get -32766.
  const input = bytes(0x05, 0xfe, 0xff, 0x03, 0x02, 0x35, 0x04, 0x00); // i32 field 32767 = 1; i32 field +3 = 2; STOP
  const value = decodeThrift(Address, input, "compact", { keepUnknown: true });
  const compact = encodeThrift(Address, value, "compact");
  expect(encodeThrift(Address, decodeThrift(Address, compact, "compact", { keepUnknown: true }), "compact")).toEqual(compact);
  const ids: number[] = [];
  const r = new ThriftCompactReader();
  r.load(compact);
  for (let type = r.readFieldBegin(); type !== TType.STOP; type = r.readFieldBegin()) {
    ids.push(r.fieldId);
    r.skip(type);
  }
  expect(ids.slice(-2)).toEqual([32767, -32766]); // after Address's own fields
  const binary = decodeThrift(Address, encodeThrift(Address, value, "binary"), "binary", { keepUnknown: true });
  expect(encodeThrift(Address, binary, "compact")).toEqual(compact);
});

test("an include or import named after an Object.prototype key finds no file", () => {
  // Found by thrift-idl (a harness bug, not kitewire's): the targets looked includes up in
  // an object literal, so `include "constructor"` got Object.prototype.constructor (a
  // function) as the file's text, and the loader threw a TypeError on it.
  const utf8 = new TextEncoder();
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    expect(() => thriftIdl(utf8.encode(`include "${name}"\nstruct S { 1: i32 x }\n`))).not.toThrow();
    expect(() => protoIdl(utf8.encode(`syntax = "proto3";\nimport "${name}";\nmessage M {}\n`))).not.toThrow();
  }
});
