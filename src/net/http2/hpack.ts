/**
 * HPACK (RFC 7541): header compression for HTTP/2, both directions. Names and values are
 * latin1 strings (one character per byte), as HTTP/2 header fields are octets.
 *
 * The decoder treats its input as untrusted: integers are bounded, string lengths checked
 * against the block before anything is read, the dynamic table held to the size this side
 * advertised, and the decoded header list to `maxHeaderListSize` (past it decoding goes on,
 * so the table stays in step, but nothing more is kept and `oversized` is set).
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import { huffmanDecode, huffmanEncode, huffmanLength } from "./huffman.js";

/** A decoded header block: repeated names give arrays, as node:http2's header objects do. */
export type HeaderMap = Record<string, string | string[]>;

const STATIC: readonly (readonly [string, string])[] = [
  [":authority", ""], [":method", "GET"], [":method", "POST"], [":path", "/"], [":path", "/index.html"],
  [":scheme", "http"], [":scheme", "https"], [":status", "200"], [":status", "204"], [":status", "206"],
  [":status", "304"], [":status", "400"], [":status", "404"], [":status", "500"], ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"], ["accept-language", ""], ["accept-ranges", ""], ["accept", ""],
  ["access-control-allow-origin", ""], ["age", ""], ["allow", ""], ["authorization", ""], ["cache-control", ""],
  ["content-disposition", ""], ["content-encoding", ""], ["content-language", ""], ["content-length", ""],
  ["content-location", ""], ["content-range", ""], ["content-type", ""], ["cookie", ""], ["date", ""], ["etag", ""],
  ["expect", ""], ["expires", ""], ["from", ""], ["host", ""], ["if-match", ""], ["if-modified-since", ""],
  ["if-none-match", ""], ["if-range", ""], ["if-unmodified-since", ""], ["last-modified", ""], ["link", ""],
  ["location", ""], ["max-forwards", ""], ["proxy-authenticate", ""], ["proxy-authorization", ""], ["range", ""],
  ["referer", ""], ["refresh", ""], ["retry-after", ""], ["server", ""], ["set-cookie", ""],
  ["strict-transport-security", ""], ["transfer-encoding", ""], ["user-agent", ""], ["vary", ""], ["via", ""],
  ["www-authenticate", ""],
];
const STATIC_NAME = new Map<string, number>();
/** name -> value -> index (nested: no key built per field, and no separator to collide with). */
const STATIC_PAIR = new Map<string, Map<string, number>>();
STATIC.forEach(([name, value], i) => {
  if (!STATIC_NAME.has(name)) STATIC_NAME.set(name, i + 1);
  let values = STATIC_PAIR.get(name);
  if (values === undefined) STATIC_PAIR.set(name, (values = new Map()));
  values.set(value, i + 1);
});

const ENTRY_OVERHEAD = 32;

function hpackError(message: string, offset: number): KitewireError {
  return new KitewireError(ErrorCode.MALFORMED_FRAME, `HPACK: ${message}`, { offset, details: { h2: 0x9 } });
}

/** Decodes header blocks of one connection (one decoder per connection and direction). */
export class HpackDecoder {
  /** Newest last; index 62 is the newest. */
  private readonly table: [string, string][] = [];
  private size = 0;
  private maxSize: number;
  private pos = 0;
  private base = 0;
  /** Set by `decode` when the block's header list passed maxHeaderListSize (its headers are then incomplete). */
  oversized = false;

  /** @param limit the table size this side advertised (SETTINGS_HEADER_TABLE_SIZE): updates above it are errors. */
  constructor(private readonly limit: number, private readonly maxHeaderListSize: number) {
    this.maxSize = limit;
  }

  /**
   * Decodes the block `bytes[start, end)`. `base` is the block's offset on the connection,
   * for errors. Throws MALFORMED_FRAME (a COMPRESSION_ERROR of the connection).
   */
  decode(bytes: Uint8Array, start: number, end: number, base = 0): HeaderMap {
    // No prototype: a peer's header named "__proto__" or "constructor" is a header like any other.
    const headers: HeaderMap = Object.create(null) as HeaderMap;
    let listSize = 0;
    this.pos = start;
    this.base = base - start;
    this.oversized = false;
    let first = true;
    while (this.pos < end) {
      const b = bytes[this.pos]!;
      let name: string;
      let value: string;
      if (b & 0x80) { // indexed field
        const index = this.integer(bytes, end, 7);
        if (index === 0) throw hpackError("index 0", this.base + this.pos - 1);
        [name, value] = this.entry(index);
      } else if ((b & 0xe0) === 0x20) { // dynamic table size update
        if (!first) throw hpackError("a table size update after the first field", this.base + this.pos);
        const size = this.integer(bytes, end, 5);
        if (size > this.limit) throw hpackError(`table size ${size} over the ${this.limit} advertised`, this.base + this.pos);
        this.maxSize = size;
        this.evict(0);
        continue;
      } else {
        const indexing = (b & 0xc0) === 0x40;
        const index = this.integer(bytes, end, indexing ? 6 : 4);
        name = index === 0 ? this.string(bytes, end) : this.entry(index)[0];
        value = this.string(bytes, end);
        if (indexing) this.insert(name, value);
      }
      first = false;
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > this.maxHeaderListSize) {
        this.oversized = true;
        continue;
      }
      const had = headers[name];
      if (had === undefined) headers[name] = value;
      else if (typeof had === "string") headers[name] = [had, value];
      else had.push(value);
    }
    return headers;
  }

  private integer(bytes: Uint8Array, end: number, prefix: number): number {
    const mask = (1 << prefix) - 1;
    let value = bytes[this.pos++]! & mask;
    if (value < mask) return value;
    let shift = 0;
    for (;;) {
      if (this.pos >= end) throw hpackError("an integer runs past the block", this.base + this.pos);
      const b = bytes[this.pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw hpackError("an integer longer than 5 bytes", this.base + this.pos - 1);
    }
    if (value > 0x7fffffff) throw hpackError(`integer ${value} too large`, this.base + this.pos - 1);
    return value;
  }

  private string(bytes: Uint8Array, end: number): string {
    if (this.pos >= end) throw hpackError("a string runs past the block", this.base + this.pos);
    const huffman = (bytes[this.pos]! & 0x80) !== 0;
    const length = this.integer(bytes, end, 7);
    const at = this.pos;
    if (length > end - at) throw hpackError(`a string of ${length} bytes runs past the block`, this.base + at);
    this.pos = at + length;
    if (huffman) return huffmanDecode(bytes, at, at + length, this.base);
    return latin1(bytes, at, at + length);
  }

  private entry(index: number): readonly [string, string] {
    if (index <= STATIC.length) return STATIC[index - 1]!;
    const i = this.table.length - 1 - (index - STATIC.length - 1);
    if (i < 0) throw hpackError(`index ${index} past the table (${STATIC.length + this.table.length} entries)`, this.base + this.pos - 1);
    return this.table[i]!;
  }

  private insert(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    this.evict(size);
    if (size > this.maxSize) return; // an entry larger than the table empties it and is not kept
    this.table.push([name, value]);
    this.size += size;
  }

  private evict(room: number): void {
    let n = 0;
    while (this.size + room > this.maxSize && n < this.table.length) {
      const [name, value] = this.table[n++]!;
      this.size -= name.length + value.length + ENTRY_OVERHEAD;
    }
    if (n > 0) this.table.splice(0, n);
  }
}

/** Text of `bytes[start, end)`, one character per byte. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  let s = "";
  for (let i = start; i < end; i += 4096) s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  return s;
}

/** Headers never put in the dynamic table: values that change from call to call. */
const NOT_INDEXED = new Set(["grpc-timeout", "grpc-message", "grpc-status-details-bin", "content-length", "date"]);

/**
 * Encodes header blocks of one connection. Fields whose values repeat from call to call
 * (pseudo headers, content-type, grpc-status...) are put in the dynamic table, so later
 * blocks send them as one byte; values that vary are sent as literals without indexing.
 */
export class HpackEncoder {
  /** Entries by insertion number; `inserted - 1` is the newest. */
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  private readonly byPair = new Map<string, Map<string, number>>();
  private readonly byName = new Map<string, number>();
  private first = 0;
  private inserted = 0;
  private size = 0;
  private maxSize = 4096;
  private pendingUpdate = -1;

  /** The peer's SETTINGS_HEADER_TABLE_SIZE: the table shrinks (or grows up to 4096), told at the next block. */
  setMaxSize(size: number): void {
    const wanted = Math.min(size, 4096);
    if (wanted === this.maxSize) return;
    this.maxSize = wanted;
    this.pendingUpdate = this.pendingUpdate < 0 ? wanted : Math.min(this.pendingUpdate, wanted);
    this.evict(0);
  }

  /** An upper bound of the bytes `encode` writes for `headers`. */
  static bound(headers: Readonly<Record<string, string | readonly string[]>>): number {
    let n = 8;
    for (const name in headers) {
      const v = headers[name]!;
      if (typeof v === "string") n += name.length + v.length + 12;
      else for (const one of v) n += name.length + one.length + 12;
    }
    return n;
  }

  /** Writes the block of `headers` at `out[at]`, which has room for `bound(headers)`; returns the end. */
  encode(headers: Readonly<Record<string, string | readonly string[]>>, out: Uint8Array, at: number): number {
    if (this.pendingUpdate >= 0) {
      if (this.pendingUpdate < this.maxSize) at = integer(out, at, 0x20, 5, this.pendingUpdate);
      at = integer(out, at, 0x20, 5, this.maxSize);
      this.pendingUpdate = -1;
    }
    for (const name in headers) {
      const v = headers[name]!;
      if (typeof v === "string") at = this.field(name, v, out, at);
      else for (const one of v) at = this.field(name, one, out, at);
    }
    return at;
  }

  private field(name: string, value: string, out: Uint8Array, at: number): number {
    const exact = STATIC_PAIR.get(name)?.get(value) ?? this.dynamicIndex(this.byPair.get(name)?.get(value));
    if (exact !== undefined) return integer(out, at, 0x80, 7, exact);
    const nameIndex = STATIC_NAME.get(name) ?? this.dynamicIndex(this.byName.get(name)) ?? 0;
    const indexing = !NOT_INDEXED.has(name) && !name.endsWith("-bin") && value.length < 256;
    at = indexing ? integer(out, at, 0x40, 6, nameIndex) : integer(out, at, 0x00, 4, nameIndex);
    if (nameIndex === 0) at = literal(name, out, at);
    at = literal(value, out, at);
    if (indexing) this.insert(name, value);
    return at;
  }

  private dynamicIndex(n: number | undefined): number | undefined {
    return n === undefined || n < this.first ? undefined : STATIC.length + this.inserted - n;
  }

  private insert(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    this.evict(size);
    if (size > this.maxSize) return;
    const n = this.inserted++;
    this.names.push(name);
    this.values.push(value);
    let values = this.byPair.get(name);
    if (values === undefined) this.byPair.set(name, (values = new Map()));
    values.set(value, n);
    this.byName.set(name, n);
    this.size += size;
  }

  private evict(room: number): void {
    let dropped = 0;
    while (this.size + room > this.maxSize && this.first < this.inserted) {
      const name = this.names[dropped]!;
      const value = this.values[dropped]!;
      const values = this.byPair.get(name)!;
      if (values.get(value) === this.first) values.delete(value);
      if (values.size === 0) this.byPair.delete(name);
      if (this.byName.get(name) === this.first) this.byName.delete(name);
      this.size -= name.length + value.length + ENTRY_OVERHEAD;
      this.first++;
      dropped++;
    }
    if (dropped > 0) (this.names.splice(0, dropped), this.values.splice(0, dropped));
  }
}

function integer(out: Uint8Array, at: number, flags: number, prefix: number, value: number): number {
  const mask = (1 << prefix) - 1;
  if (value < mask) {
    out[at++] = flags | value;
    return at;
  }
  out[at++] = flags | mask;
  value -= mask;
  while (value >= 128) {
    out[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[at++] = value;
  return at;
}

function literal(text: string, out: Uint8Array, at: number): number {
  const coded = text.length > 8 ? huffmanLength(text) : text.length;
  if (coded < text.length) {
    at = integer(out, at, 0x80, 7, coded);
    return huffmanEncode(text, out, at);
  }
  at = integer(out, at, 0x00, 7, text.length);
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}
