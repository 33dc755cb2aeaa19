import {
  readVarint64, readVarint32, varintEnd, varint32Size, varint64Size, writeVarint32, writeVarint64,
  zigzag32, unzigzag32, zigzag64, unzigzag64,
} from "../varint";

const buf = memory.data(64);

describe("varint", () => {
  it("sizes match the bytes written at every 7-bit boundary", () => {
    for (let bits: u32 = 0; bits <= 32; bits++) {
      const v: u32 = bits == 0 ? 0 : bits == 32 ? 0xffffffff : (<u32>1 << bits) - 1;
      expect<usize>(writeVarint32(buf, v) - buf).toBe(varint32Size(v));
      expect<usize>(writeVarint32(buf, v + 1) - buf).toBe(varint32Size(v + 1));
    }
    for (let bits: u64 = 0; bits < 64; bits++) {
      const v: u64 = (<u64>1 << bits);
      expect<usize>(writeVarint64(buf, v) - buf).toBe(varint64Size(v));
      expect<usize>(writeVarint64(buf, v - 1) - buf).toBe(varint64Size(v - 1));
    }
    expect<usize>(varint64Size(0xffffffffffffffff)).toBe(10);
  });

  it("round-trips 32 and 64-bit values", () => {
    const values: u64[] = [0, 1, 127, 128, 300, 16384, 0xffffffff, 0x100000000, 0x7fffffffffffffff, 0xffffffffffffffff];
    for (let i = 0; i < values.length; i++) {
      const end = writeVarint64(buf, values[i]);
      expect<u64>(readVarint64(buf, end, 10)).toBe(values[i]);
      expect<usize>(varintEnd).toBe(end);
    }
    const end = writeVarint32(buf, 300);
    expect<u32>(readVarint32(buf, end, 5)).toBe(300);
  });

  it("reports truncated and overlong varints with varintEnd = 0", () => {
    store<u8>(buf, 0x80);
    readVarint64(buf, buf + 1, 10);
    expect<usize>(varintEnd).toBe(0);
    for (let i = 0; i < 11; i++) store<u8>(buf + i, 0xff);
    readVarint64(buf, buf + 11, 10);
    expect<usize>(varintEnd).toBe(0);
    readVarint64(buf, buf + 11, 5);
    expect<usize>(varintEnd).toBe(0);
  });

  it("zigzags at the edges", () => {
    expect<u32>(zigzag32(0)).toBe(0);
    expect<u32>(zigzag32(-1)).toBe(1);
    expect<u32>(zigzag32(1)).toBe(2);
    expect<u32>(zigzag32(i32.MIN_VALUE)).toBe(0xffffffff);
    expect<u32>(zigzag32(i32.MAX_VALUE)).toBe(0xfffffffe);
    expect<i32>(unzigzag32(0xffffffff)).toBe(i32.MIN_VALUE);
    expect<u64>(zigzag64(i64.MIN_VALUE)).toBe(0xffffffffffffffff);
    expect<i64>(unzigzag64(zigzag64(-123456789012345))).toBe(-123456789012345);
  });
});
