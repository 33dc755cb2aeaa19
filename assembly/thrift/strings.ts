/**
 * The string table: a whole Thrift `list<string>` decoded to UTF-16 in one pass, so the
 * host makes each string from engine memory without a call per element.
 *
 * Two calls: `thriftStringListSize` walks the length prefixes and returns the UTF-8 byte
 * total (the host sizes its output area from it, never from a claimed length), then
 * `thriftStringListDecode` fills the area:
 *
 *   out + 4 * i : u32 UTF-16 unit count of string i
 *   out + 4 * n : the strings' UTF-16 units, one after another
 */
import { fail, lastFailure, ErrorCode } from "../errors";
import { binaryEnd, binaryReadBinary } from "./binary-primitives";
import { compactEnd, compactReadBinary } from "./compact-primitives";
import { utf8Decode } from "../utf8/utf8";

// @ts-ignore: decorator
@inline function nextString(compact: bool, p: usize, end: usize): usize {
  return compact ? compactReadBinary(p, end) : binaryReadBinary(p, end);
}

// @ts-ignore: decorator
@inline function afterString(compact: bool): usize {
  return compact ? compactEnd : binaryEnd;
}

/** UTF-8 bytes in the `n` strings at `p` (Compact or Binary length prefixes), or a negative error. */
export function thriftStringListSize(compact: bool, p: usize, end: usize, n: u32): isize {
  let total: usize = 0;
  for (let i: u32 = 0; i < n; i++) {
    const at = nextString(compact, p, end);
    const next = afterString(compact);
    if (next == 0) return lastFailure();
    total += next - at;
    p = next;
  }
  if (total > <usize>0x3fffffff) return fail(ErrorCode.LENGTH_LIMIT, p);
  return total;
}

/**
 * Decodes the `n` strings at `p` into the table at `out` (room for 4 * n + 2 * the size
 * from thriftStringListSize); returns the address after the last string or a negative error.
 */
export function thriftStringListDecode(compact: bool, p: usize, end: usize, n: u32, out: usize, strict: bool): isize {
  let units = out + (<usize>n << 2);
  for (let i: u32 = 0; i < n; i++) {
    const at = nextString(compact, p, end);
    const next = afterString(compact);
    if (next == 0) return lastFailure();
    const count = utf8Decode(at, next - at, units, strict);
    if (count < 0) return count;
    store<u32>(out + (<usize>i << 2), <u32>count);
    units += <usize>count << 1;
    p = next;
  }
  return p;
}
