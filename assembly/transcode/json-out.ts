/**
 * Writing JSON text at the output (buffers.ts): strings escaped as JSON.stringify escapes
 * them, bytes as padded standard base64, UUIDs in lowercase: what thrift-to-json.ts writes.
 */
import { utf8Validate } from "../utf8/utf8";
import { ensure, outPos } from "./buffers";

// @ts-ignore: decorator
@inline export function put(c: u32): bool {
  if (!ensure(1)) return false;
  store<u8>(outPos++, <u8>c);
  return true;
}

export function putBytes(p: usize, n: usize): bool {
  if (!ensure(n)) return false;
  memory.copy(outPos, p, n);
  outPos += n;
  return true;
}

const HEX: StaticArray<u8> = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66];

/** Writes the UTF-8 bytes [p, p+n) as a JSON string, escaped as JSON.stringify escapes. */
export function putString(p: usize, n: usize): bool {
  if (utf8Validate(p, n) != 0 || !ensure(n * 6 + 2)) return false;
  let o = outPos;
  store<u8>(o++, 0x22);
  const end = p + n;
  while (p < end) {
    // Runs that need no escaping (no quote, backslash or control), 16 (SIMD) or 8 bytes at a time.
    if (ASC_FEATURE_SIMD) {
      while (p + 16 <= end) {
        const v = v128.load(p);
        const stop = v128.or(v128.or(i8x16.eq(v, i8x16.splat(0x22)), i8x16.eq(v, i8x16.splat(0x5c))),
          i8x16.lt_u(v, i8x16.splat(0x20)));
        if (v128.any_true(stop)) break;
        v128.store(o, v);
        o += 16;
        p += 16;
      }
    }
    while (p + 8 <= end) {
      const w = load<u64>(p);
      const quote = w ^ 0x2222222222222222;
      const slash = w ^ 0x5c5c5c5c5c5c5c5c;
      const stop = ((quote - 0x0101010101010101) & ~quote) | ((slash - 0x0101010101010101) & ~slash) |
        ((w - 0x2020202020202020) & ~w);
      if ((stop & 0x8080808080808080) != 0) break;
      store<u64>(o, w);
      o += 8;
      p += 8;
    }
    if (p >= end) break;
    const c = <u32>load<u8>(p++);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) {
      store<u8>(o++, <u8>c);
      continue;
    }
    store<u8>(o++, 0x5c);
    switch (c) {
      case 0x22: store<u8>(o++, 0x22); break;
      case 0x5c: store<u8>(o++, 0x5c); break;
      case 0x08: store<u8>(o++, 0x62); break;
      case 0x0c: store<u8>(o++, 0x66); break;
      case 0x0a: store<u8>(o++, 0x6e); break;
      case 0x0d: store<u8>(o++, 0x72); break;
      case 0x09: store<u8>(o++, 0x74); break;
      default:
        store<u32>(o, 0x30303075); // u000
        store<u8>(o + 3, unchecked(HEX[c >> 4]));
        store<u8>(o + 4, unchecked(HEX[c & 15]));
        o += 5;
    }
  }
  store<u8>(o++, 0x22);
  outPos = o;
  return true;
}

const B64: StaticArray<u8> = [
  65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90,
  97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120,
  121, 122, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 43, 47,
];

/** Writes bytes as a JSON string of standard padded base64. */
export function putBase64(p: usize, n: usize): bool {
  if (!ensure(((n + 2) / 3) * 4 + 2)) return false;
  let o = outPos;
  store<u8>(o++, 0x22);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    // 12 bytes to 16 characters at a time (loads 16 bytes, so stops 16 before the end).
    for (; i + 16 <= n; i += 12) {
      base64Block(p + i, o);
      o += 16;
    }
  }
  for (; i + 3 <= n; i += 3) {
    const v = (<u32>load<u8>(p + i) << 16) | (<u32>load<u8>(p + i + 1) << 8) | <u32>load<u8>(p + i + 2);
    store<u8>(o, unchecked(B64[v >> 18]));
    store<u8>(o + 1, unchecked(B64[(v >> 12) & 63]));
    store<u8>(o + 2, unchecked(B64[(v >> 6) & 63]));
    store<u8>(o + 3, unchecked(B64[v & 63]));
    o += 4;
  }
  const rest = n - i;
  if (rest == 1) {
    const v = <u32>load<u8>(p + i) << 16;
    store<u8>(o, unchecked(B64[v >> 18]));
    store<u8>(o + 1, unchecked(B64[(v >> 12) & 63]));
    store<u16>(o + 2, 0x3d3d);
    o += 4;
  } else if (rest == 2) {
    const v = (<u32>load<u8>(p + i) << 16) | (<u32>load<u8>(p + i + 1) << 8);
    store<u8>(o, unchecked(B64[v >> 18]));
    store<u8>(o + 1, unchecked(B64[(v >> 12) & 63]));
    store<u8>(o + 2, unchecked(B64[(v >> 6) & 63]));
    store<u8>(o + 3, 0x3d);
    o += 4;
  }
  store<u8>(o++, 0x22);
  outPos = o;
  return true;
}

/** Encodes the 12 bytes at `p` as 16 standard base64 characters at `o`. */
function base64Block(p: usize, o: usize): void {
  // Each 32-bit lane: three bytes as b0 << 16 | b1 << 8 | b2, then its four 6-bit values in
  // output order, one per byte.
  const w = i8x16.swizzle(v128.load(p), i8x16(2, 1, 0, 0, 5, 4, 3, 3, 8, 7, 6, 6, 11, 10, 9, 9));
  const six = i32x4.splat(0x3f);
  const idx = v128.or(
    v128.or(v128.and(i32x4.shr_u(w, 18), six), i32x4.shl(v128.and(i32x4.shr_u(w, 12), six), 8)),
    v128.or(i32x4.shl(v128.and(i32x4.shr_u(w, 6), six), 16), i32x4.shl(v128.and(w, six), 24)),
  );
  // Value to character: A-Z from 0, a-z from 26, 0-9 from 52, then + and /.
  let off = i8x16.splat(65);
  off = v128.bitselect(i8x16.splat(71), off, i8x16.gt_u(idx, i8x16.splat(25)));
  off = v128.bitselect(i8x16.splat(-4), off, i8x16.gt_u(idx, i8x16.splat(51)));
  off = v128.bitselect(i8x16.splat(-19), off, i8x16.eq(idx, i8x16.splat(62)));
  off = v128.bitselect(i8x16.splat(-16), off, i8x16.eq(idx, i8x16.splat(63)));
  v128.store(o, i8x16.add(idx, off));
}

/** Writes 16 bytes as a quoted lowercase UUID. */
export function putUuid(p: usize): bool {
  if (!ensure(38)) return false;
  let o = outPos;
  store<u8>(o++, 0x22);
  for (let i: usize = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) store<u8>(o++, 0x2d);
    const b = <u32>load<u8>(p + i);
    store<u8>(o++, unchecked(HEX[b >> 4]));
    store<u8>(o++, unchecked(HEX[b & 15]));
  }
  store<u8>(o++, 0x22);
  outPos = o;
  return true;
}

/** Writes ASCII text given as up to 8 bytes in a little-endian word. */
export function putWord(w: u64, n: usize): bool {
  if (!ensure(8)) return false;
  store<u64>(outPos, w);
  outPos += n;
  return true;
}
