import {
  binaryEnd, binaryFieldId, binaryElementType, binaryValueType, binaryReadFieldHeader, binaryReadI32, binaryReadI64,
  binaryReadListHeader, binaryReadMapHeader, binaryReadBinary, binaryReadDouble, binaryWriteMessageHeader,
  binaryWriteFieldHeader, binaryWriteI64, binaryWriteListHeader, binaryWriteMapHeader, binaryWriteDouble,
} from "../thrift/binary-primitives";
import {
  compactEnd, compactFieldId, compactElementType, compactMessageType, compactSeqid, compactValueType,
  compactReadFieldHeader, compactReadI64, compactReadListHeader, compactReadMapHeader, compactReadMessageHeader,
  compactWriteFieldHeader, compactWriteI64, compactWriteListHeader, compactWriteMapHeader, compactWriteMessageHeader,
} from "../thrift/compact-primitives";
import { thriftBinarySkipMessage } from "../thrift/binary";
import { thriftCompactSkipMessage } from "../thrift/compact";
import { errorCode, ErrorCode } from "../errors";

const buf = memory.data(256);
const name = memory.data<u8>([0x45, 0x63, 0x68, 0x6f]); // "Echo"

function hexAt(p: usize, n: usize): string {
  let s = "";
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(p + i);
    s += (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

describe("binary primitives", () => {
  it("write a message the way the wire format says", () => {
    let p = binaryWriteMessageHeader(buf, 1, name, 4, 1);
    p = binaryWriteFieldHeader(p, 10, 3);
    p = binaryWriteI64(p, -2);
    p = binaryWriteFieldHeader(p, 15, 4);
    p = binaryWriteListHeader(p, 8, 0);
    p = binaryWriteFieldHeader(p, 13, 5);
    p = binaryWriteMapHeader(p, 11, 4, 0);
    p = binaryWriteFieldHeader(p, 4, 6);
    p = binaryWriteDouble(p, 1.5);
    store<u8>(p++, 0);
    expect<string>(hexAt(buf, p - buf)).toBe(
      "80010001000000044563686f00000001" + "0a0003fffffffffffffffe" + "0f0004" + "0800000000" +
      "0d0005" + "0b0400000000" + "0400063ff8000000000000" + "00");
    expect<isize>(thriftBinarySkipMessage(buf, p, 8, false)).toBe(<isize>p);
  });

  it("read back what they write, with bounds", () => {
    let p = binaryWriteFieldHeader(buf, 12, -7);
    expect<u8>(binaryReadFieldHeader(buf, p)).toBe(12);
    expect<i16>(binaryFieldId).toBe(-7);
    p = binaryWriteMapHeader(buf, 11, 15, 3);
    expect<i32>(binaryReadMapHeader(buf, p)).toBe(3);
    expect<u8>(binaryElementType).toBe(11);
    expect<u8>(binaryValueType).toBe(15);
    p = binaryWriteListHeader(buf, 8, -1);
    binaryReadListHeader(buf, p);
    expect<usize>(binaryEnd).toBe(0);
    expect<i32>(errorCode).toBe(ErrorCode.NEGATIVE_LENGTH);
    binaryWriteI64(buf, i64.MIN_VALUE);
    expect<i64>(binaryReadI64(buf, buf + 8)).toBe(i64.MIN_VALUE);
    binaryReadI32(buf, buf + 3);
    expect<usize>(binaryEnd).toBe(0);
    binaryWriteDouble(buf, -0.25);
    expect<f64>(binaryReadDouble(buf, buf + 8)).toBe(-0.25);
    store<u32>(buf, bswap<u32>(5));
    binaryReadBinary(buf, buf + 8);
    expect<i32>(errorCode).toBe(ErrorCode.LENGTH_LIMIT);
  });
});

describe("compact primitives", () => {
  it("write a message the way the spec says", () => {
    let p = compactWriteMessageHeader(buf, 1, name, 4, 7);
    p = compactWriteFieldHeader(p, 6, 1, 0); // delta 1, i64
    p = compactWriteI64(p, -1);
    p = compactWriteFieldHeader(p, 1, 20, 1); // bool true, long form
    p = compactWriteFieldHeader(p, 9, 21, 20);
    p = compactWriteListHeader(p, 5, 20);
    for (let i = 0; i < 20; i++) store<u8>(p++, 2); // twenty zigzag i32 ones
    p = compactWriteFieldHeader(p, 11, 22, 21);
    p = compactWriteMapHeader(p, 8, 5, 0);
    store<u8>(p++, 0);
    expect<string>(hexAt(buf, 21)).toBe("822107044563686f1601012819f514020202020202");
    expect<isize>(thriftCompactSkipMessage(buf, p, 8)).toBe(<isize>p);
  });

  it("read back what they write", () => {
    let p = compactWriteMessageHeader(buf, 4, name, 4, -1);
    const at = compactReadMessageHeader(buf, p);
    expect<usize>(at).toBe(p - 4);
    expect<u8>(compactMessageType).toBe(4);
    expect<i32>(compactSeqid).toBe(-1);
    p = compactWriteFieldHeader(buf, 12, 300, 2);
    expect<u8>(compactReadFieldHeader(buf, p, 2)).toBe(12);
    expect<i16>(compactFieldId).toBe(300);
    p = compactWriteFieldHeader(buf, 5, 9, 2);
    expect<usize>(p - buf).toBe(1);
    compactReadFieldHeader(buf, p, 2);
    expect<i16>(compactFieldId).toBe(9);
    p = compactWriteListHeader(buf, 8, 1000);
    expect<i32>(compactReadListHeader(buf, p)).toBe(1000);
    expect<u8>(compactElementType).toBe(8);
    p = compactWriteMapHeader(buf, 8, 12, 2);
    expect<i32>(compactReadMapHeader(buf, p)).toBe(2);
    expect<u8>(compactElementType).toBe(8);
    expect<u8>(compactValueType).toBe(12);
    p = compactWriteI64(buf, i64.MIN_VALUE);
    expect<i64>(compactReadI64(buf, p)).toBe(i64.MIN_VALUE);
    expect<usize>(compactEnd).toBe(p);
    store<u8>(buf, 0x0e); // type 14 does not exist
    compactReadFieldHeader(buf, buf + 1, 0);
    expect<i32>(errorCode).toBe(ErrorCode.UNKNOWN_TYPE);
  });
});
