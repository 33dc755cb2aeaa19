/**
 * Base64 for ProtoJSON `bytes`: printed in the standard alphabet with padding (RFC 4648
 * section 4), read in the standard or the URL-safe alphabet (section 5), padded or not.
 * Written here rather than with `btoa`/`Buffer` so it behaves the same on every runtime
 * and rejects what is not base64 instead of skipping it.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Value of each character code in either alphabet, -1 for anything else. */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;
VALUES["-".charCodeAt(0)] = 62;
VALUES["_".charCodeAt(0)] = 63;

/** Character code of each 6-bit value. */
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const ascii = new TextDecoder();

/** Standard base64 with padding. */
export function base64Encode(bytes: Uint8Array): string {
  const n = bytes.length;
  // Written as ASCII codes into one array and decoded once: far cheaper than growing a string.
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o] = CODES[v >>> 18]!;
    out[o + 1] = CODES[(v >>> 12) & 63]!;
    out[o + 2] = CODES[(v >>> 6) & 63]!;
    out[o + 3] = CODES[v & 63]!;
    o += 4;
  }
  if (n - i === 1) {
    const v = bytes[i]! << 16;
    out[o] = CODES[v >>> 18]!;
    out[o + 1] = CODES[(v >>> 12) & 63]!;
    out[o + 2] = out[o + 3] = 61; // =
  } else if (n - i === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out[o] = CODES[v >>> 18]!;
    out[o + 1] = CODES[(v >>> 12) & 63]!;
    out[o + 2] = CODES[(v >>> 6) & 63]!;
    out[o + 3] = 61;
  }
  return ascii.decode(out);
}

/**
 * Decodes standard or URL-safe base64, with or without padding. Returns a string saying
 * what is wrong instead of throwing, so the caller can name the JSON path.
 */
export function base64Decode(text: string): Uint8Array | string {
  let end = text.length;
  // Up to two padding characters, and only where they complete a 4-character group.
  let pad = 0;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */ && pad < 2) {
    end--;
    pad++;
  }
  if (pad > 0 && text.length % 4 !== 0) return "base64 padding does not complete a group of four";
  if (end % 4 === 1) return "base64 length is not valid (one character too many)";
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUES[c]! : -1;
    if (v < 0) return `${JSON.stringify(text[i])} at index ${i} is not a base64 character`;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}
