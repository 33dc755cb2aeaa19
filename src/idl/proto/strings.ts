/**
 * Protobuf string literals are byte strings: `\xff` or `\377` is one byte, not a
 * character, and the result is only a text when the bytes are valid UTF-8. These helpers
 * decode literal bodies (escapes as in the protobuf spec: C escapes, octal, hex,
 * `\u`/`\U`) to bytes, and C-escape bytes back (as protoc writes `bytes` defaults into
 * descriptors).
 */

/** Reports a problem at [offset, offset + length) of the decoded body. */
export type EscapeError = (offset: number, length: number, message: string) => void;

/** A decoded literal: its text, and its bytes when they are not valid UTF-8. */
export interface DecodedString {
  value: string;
  bytes?: Uint8Array;
}

const SIMPLE: Record<string, number> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, "'": 39, '"': 34, "?": 63,
};

/** A character that `decodeStringBytes` cannot pass through as it is. */
const NOT_PLAIN = /[\\\ud800-\udfff\ufeff]/;

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");
const encoder = new TextEncoder();

/** Appends the UTF-8 (or, for lone surrogates, WTF-8 — as protoc does) encoding of `cp`. */
function pushCodePoint(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Counts up to `max` characters from `p` that pass `test`. */
function run(body: string, p: number, max: number, test: RegExp): number {
  let n = 0;
  while (n < max && p + n < body.length && test.test(body[p + n]!)) n++;
  return n;
}

/** Decodes the text between the quotes of a string literal. */
export function decodeStringBytes(body: string, error: EscapeError): DecodedString {
  // Without escapes, surrogates or a byte order mark (which UTF-8 decoding drops at the
  // start), the bytes are the text's UTF-8 and decode to the text itself.
  if (!NOT_PLAIN.test(body)) return { value: body };
  const out: number[] = [];
  let p = 0;
  while (p < body.length) {
    const c = body[p]!;
    if (c !== "\\") {
      const cp = body.codePointAt(p)!;
      pushCodePoint(out, cp);
      p += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[p + 1];
    if (e === undefined) {
      error(p, 1, "string literal ends in a lone '\\'");
      break;
    }
    if (e in SIMPLE) {
      out.push(SIMPLE[e]!);
      p += 2;
    } else if (e >= "0" && e <= "7") {
      const n = run(body, p + 1, 3, /[0-7]/);
      // Three octal digits can exceed a byte (`\777`); like C, keep the low eight bits.
      out.push(parseInt(body.slice(p + 1, p + 1 + n), 8) & 0xff);
      p += 1 + n;
    } else if (e === "x" || e === "X") {
      const n = run(body, p + 2, 2, /[0-9a-fA-F]/);
      if (n === 0) error(p, 2, "'\\x' must be followed by hexadecimal digits");
      else out.push(parseInt(body.slice(p + 2, p + 2 + n), 16));
      p += 2 + n;
    } else if (e === "u" || e === "U") {
      const want = e === "u" ? 4 : 8;
      const n = run(body, p + 2, want, /[0-9a-fA-F]/);
      const cp = n === want ? parseInt(body.slice(p + 2, p + 2 + n), 16) : -1;
      if (cp < 0 || cp > 0x10ffff) {
        error(p, 2 + n, `'\\${e}' must be followed by ${want} hexadecimal digits of a code point up to 10FFFF`);
        p += 2 + n;
        continue;
      }
      p += 2 + n;
      // `\uD83D\uDE00`: a surrogate pair written as two escapes is one code point.
      if (cp >= 0xd800 && cp <= 0xdbff && body[p] === "\\" && body[p + 1] === "u") {
        const low = run(body, p + 2, 4, /[0-9a-fA-F]/) === 4 ? parseInt(body.slice(p + 2, p + 6), 16) : -1;
        if (low >= 0xdc00 && low <= 0xdfff) {
          pushCodePoint(out, 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00));
          p += 6;
          continue;
        }
      }
      pushCodePoint(out, cp);
    } else {
      error(p, 2, `invalid escape sequence '\\${e}'`);
      p += 2;
    }
  }
  const bytes = Uint8Array.from(out);
  try {
    return { value: strict.decode(bytes) };
  } catch {
    return { value: lenient.decode(bytes), bytes };
  }
}

/** The bytes a decoded literal stands for. */
export function stringBytes(s: DecodedString): Uint8Array {
  return s.bytes ?? encoder.encode(s.value);
}

/**
 * C-escapes bytes the way protoc writes `bytes` default values: `\n`, `\r`, `\t`, `\"`,
 * `\'`, `\\` and three-digit octal for other non-printable bytes.
 */
export function cEscape(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    switch (b) {
      case 10: out += "\\n"; break;
      case 13: out += "\\r"; break;
      case 9: out += "\\t"; break;
      case 34: out += '\\"'; break;
      case 39: out += "\\'"; break;
      case 92: out += "\\\\"; break;
      default:
        out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "\\" + b.toString(8).padStart(3, "0");
    }
  }
  return out;
}
