/**
 * The Huffman code of HPACK string literals (RFC 7541 Appendix B). The code is canonical,
 * so each symbol's bit length is all it takes: codes are assigned in order of (length,
 * symbol), which rebuilds the appendix's table exactly (tests/net/http2 checks the RFC's
 * examples).
 */
import { ErrorCode, KitewireError } from "../../errors.js";

/** Bit length of the code of each symbol 0..255, then EOS (256). */
const LENGTHS = [13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28,
  28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13,
  6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5,
  7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23,
  24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22,
  23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26,
  24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24,
  26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30];

const EOS = 256;
const MAX_LENGTH = 30;
/** Each symbol's code (right-aligned in `LENGTHS[s]` bits). */
const CODES = new Uint32Array(257);
/** Canonical decoding, per length: the first code, the number of codes, where its symbols start in SORTED. */
const FIRST_CODE = new Int32Array(MAX_LENGTH + 1);
const COUNT = new Int32Array(MAX_LENGTH + 1);
const START = new Int32Array(MAX_LENGTH + 1);
const SORTED = new Uint16Array(257);
{
  const order = Array.from({ length: 257 }, (_, i) => i).sort((a, b) => LENGTHS[a]! - LENGTHS[b]! || a - b);
  let code = 0;
  let length = LENGTHS[order[0]!]!;
  order.forEach((symbol, i) => {
    const l = LENGTHS[symbol]!;
    code *= 2 ** (l - length);
    length = l;
    if (COUNT[l] === 0) (FIRST_CODE[l] = code), (START[l] = i);
    COUNT[l]!++;
    CODES[symbol] = code++;
    SORTED[i] = symbol;
  });
}

/** Bytes `bytes` take Huffman-coded. */
export function huffmanLength(bytes: Uint8Array | string): number {
  let bits = 0;
  if (typeof bytes === "string") for (let i = 0; i < bytes.length; i++) bits += LENGTHS[bytes.charCodeAt(i) & 0xff]!;
  else for (let i = 0; i < bytes.length; i++) bits += LENGTHS[bytes[i]!]!;
  return (bits + 7) >>> 3;
}

/** Writes the Huffman code of `text` (latin1: one byte per character) at `out[at]`; returns the end. */
export function huffmanEncode(text: string, out: Uint8Array, at: number): number {
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const symbol = text.charCodeAt(i) & 0xff;
    let length = LENGTHS[symbol]!;
    let code = CODES[symbol]!;
    if (length > 24) { // keep acc within 31 bits: the high part first
      const high = length - 16;
      acc = (acc << high) | (code >>> 16);
      bits += high;
      while (bits >= 8) out[at++] = (acc >>> (bits -= 8)) & 0xff;
      code &= 0xffff;
      length = 16;
    }
    acc = (acc << length) | code;
    bits += length;
    while (bits >= 8) out[at++] = (acc >>> (bits -= 8)) & 0xff;
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out[at++] = ((acc << (8 - bits)) | (0xff >>> bits)) & 0xff; // padded with the EOS prefix (ones)
  return at;
}

/**
 * Decodes the Huffman-coded `bytes[start, end)` into a latin1 string. Throws
 * MALFORMED_FRAME (offset: `base` + the byte's index) for EOS inside, padding longer than
 * 7 bits, or padding that is not the EOS prefix.
 */
export function huffmanDecode(bytes: Uint8Array, start: number, end: number, base = 0): string {
  let out = "";
  let code = 0;
  let length = 0;
  let chunk: number[] = [];
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      code = (code << 1) | ((byte >>> bit) & 1);
      length++;
      const index = code - FIRST_CODE[length]!;
      if (index >= 0 && index < COUNT[length]!) {
        const symbol = SORTED[START[length]! + index]!;
        if (symbol === EOS) throw huffmanError("EOS inside a Huffman-coded string", base + i);
        chunk.push(symbol);
        code = 0;
        length = 0;
      } else if (length >= MAX_LENGTH) {
        throw huffmanError("no Huffman code matches", base + i);
      }
    }
    if (chunk.length >= 4096) (out += String.fromCharCode.apply(null, chunk)), (chunk = []);
  }
  if (length > 7 || code !== (1 << length) - 1) throw huffmanError("bad padding at the end of a Huffman-coded string", base + end - 1);
  return out + String.fromCharCode.apply(null, chunk);
}

function huffmanError(message: string, offset: number): KitewireError {
  return new KitewireError(ErrorCode.MALFORMED_FRAME, `HPACK: ${message}`, { offset, details: { h2: 0x9 } });
}
