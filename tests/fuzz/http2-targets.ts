/**
 * Fuzz targets of kitewire's HTTP/2 (src/net/http2): the connection's frame reader on the
 * server side, and the HPACK decoder with the Huffman code.
 *
 * Properties: nothing but a KitewireError comes out (the connection reports its errors
 * through `onError`, never by throwing from `receive`); the connection sees the same
 * streams, headers, data, ends and error (code and byte offset) whether the bytes come at
 * once or in pieces; its buffered partial frame never exceeds a frame; a block that
 * decodes re-encodes (through kitewire's encoder) to one that decodes to the same headers;
 * Huffman text that decodes re-encodes to bytes that decode to the same text.
 */
import { KitewireError } from "kitewire";
import { Http2Connection } from "../../src/net/http2/connection.js";
import { PREFACE } from "../../src/net/http2/constants.js";
import { HpackDecoder, HpackEncoder } from "../../src/net/http2/hpack.js";
import { huffmanDecode, huffmanEncode, huffmanLength } from "../../src/net/http2/huffman.js";
import type { Http2StreamHandler } from "../../src/net/http2/stream.js";
import type { FuzzTarget } from "./targets.js";
import { holds, rejectsCleanly } from "./check.js";

const MAX_FRAME = 16_384;

/** What a server connection made of `data` fed `chunk` bytes at a time. */
function serve(data: Uint8Array, chunk: number): string[] {
  const seen: string[] = [];
  const handler: Http2StreamHandler = {
    onHeaders: (s, h) => void seen.push(`trailers ${s.id} ${JSON.stringify(h)}`),
    onData: (s, b) => void seen.push(`data ${s.id} ${b.length}`),
    onEnd: (s) => void seen.push(`end ${s.id}`),
    onClose: (s, code) => void seen.push(`close ${s.id} ${code}`),
    onDrain: () => undefined,
  };
  const conn = new Http2Connection("server", { write: () => true, end: () => void seen.push("ended") }, {
    onStream: (stream, headers, endStream) => {
      seen.push(`stream ${stream.id} ${JSON.stringify(headers)} ${endStream}`);
      stream.handler = handler;
      if (stream.id % 3 === 0) stream.pause(); // some streams hold their data
    },
    onError: (e) => {
      holds(e instanceof KitewireError && e.offset !== undefined && e.offset <= PREFACE.length + data.length, `error without a sane offset: ${e.message}`);
      seen.push(`error ${e.offset} ${(e.details as { h2?: number } | undefined)?.h2}`);
    },
  }, { maxFrameSize: MAX_FRAME, maxConcurrentStreams: 8, maxHeaderListSize: 4096, maxControlFramesPerSecond: 1e9, maxResetsPerSecond: 1e9, schedule: () => undefined });
  conn.receive(PREFACE);
  for (let at = 0; at < data.length; at += chunk) {
    conn.receive(data.slice(at, Math.min(at + chunk, data.length)));
    holds(((conn as unknown as { reader: { buffer: Uint8Array } }).reader.buffer.length) <= 9 + MAX_FRAME, "more than a frame buffered");
  }
  return seen;
}

/** The frame reader over the input fed whole, then 1..16 bytes at a time (the first byte says how many). */
export function http2(data: Uint8Array): void {
  if (data.length === 0) return;
  const chunk = (data[0]! & 15) + 1;
  const body = data.subarray(1);
  const whole = serve(body, Math.max(1, body.length));
  const pieces = serve(body, chunk);
  holds(JSON.stringify(whole) === JSON.stringify(pieces), `whole and in pieces of ${chunk} differ:\n${whole.join("\n")}\n---\n${pieces.join("\n")}`);
}

/** The HPACK decoder (first byte: table size / 16) and, on the same bytes, the Huffman decoder. */
export function hpack(data: Uint8Array): void {
  if (data.length === 0) return;
  const decoder = new HpackDecoder((data[0]! & 0xff) * 16, 8192);
  const headers = rejectsCleanly(() => decoder.decode(data, 1, data.length, 0));
  if (headers !== undefined && !decoder.oversized) {
    const encoder = new HpackEncoder();
    const out = new Uint8Array(HpackEncoder.bound(headers));
    const end = encoder.encode(headers, out, 0);
    const again = new HpackDecoder(4096, 1 << 20).decode(out, 0, end);
    holds(JSON.stringify(again) === JSON.stringify(headers), "headers differ after re-encoding");
  }
  const text = rejectsCleanly(() => huffmanDecode(data, 1, data.length));
  if (text !== undefined) {
    const out = new Uint8Array(huffmanLength(text));
    holds(huffmanDecode(out, 0, huffmanEncode(text, out, 0)) === text, "Huffman text differs after re-encoding");
  }
}

/** Seeds: what kitewire's client connection writes for a few requests, and encoded header blocks. */
function http2Seeds(): Uint8Array[] {
  const written: Uint8Array[] = [];
  const client = new Http2Connection("client", { write: (p) => (written.push(...p), true), end: () => undefined }, {}, { schedule: () => undefined });
  const handler = { onHeaders() {}, onData() {}, onEnd() {}, onClose() {}, onDrain() {} };
  const a = client.request({ ":method": "POST", ":scheme": "http", ":path": "/pkg.Svc/Call", ":authority": "x", "content-type": "application/grpc", te: "trailers" }, handler);
  a.write(Uint8Array.of(0, 0, 0, 0, 3, 8, 1, 16));
  a.end();
  const b = client.request({ ":method": "POST", ":scheme": "http", ":path": "/pkg.Svc/Stream", ":authority": "x", "x-bin": "AAEC" }, handler);
  b.write(new Uint8Array(100));
  b.reset();
  client.ping(() => undefined);
  (client as unknown as { writer: { flush(): void } }).writer.flush();
  const all = new Uint8Array(written.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of written) (all.set(p, at), (at += p.length));
  const frames = all.subarray(PREFACE.length);
  return [Uint8Array.of(0xff, ...frames), Uint8Array.of(0x03, ...frames)];
}

function hpackSeeds(): Uint8Array[] {
  const encoder = new HpackEncoder();
  const blocks: Record<string, string | string[]>[] = [{ ":status": "200", "content-type": "application/grpc", "grpc-status": "0", "grpc-message": "ok%20 fine" }, { ":status": "200", "x-many": ["a", "b"] }];
  const out = blocks.map((h) => {
    const buf = new Uint8Array(HpackEncoder.bound(h) + 1);
    buf[0] = 0xff;
    return buf.subarray(0, encoder.encode(h, buf, 1));
  });
  const rfc = Uint8Array.of(0xff, 0x82, 0x86, 0x84, 0x41, 0x8c, 0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff);
  return [...out, rfc];
}

const bytes = (...b: number[]) => Uint8Array.from(b);
const HTTP2_TOKENS = [
  bytes(0, 0, 0, 4, 0, 0, 0, 0, 0), bytes(0, 0, 8, 6, 0, 0, 0, 0, 0), bytes(0, 0, 4, 3, 0, 0, 0, 0, 1), bytes(0, 0, 4, 8, 0, 0, 0, 0, 0),
  bytes(0, 0, 0, 9, 4, 0, 0, 0, 1), bytes(0, 0, 0, 1, 1, 0, 0, 0, 3), bytes(0, 0, 8, 7, 0, 0, 0, 0, 0), bytes(0x7f, 0xff, 0xff, 0xff),
  bytes(0x3f, 0xe1, 0x1f), bytes(0x40), bytes(0x0f), bytes(0xff, 0xff, 0xff, 0x0f), bytes(0x87), bytes(0xbe),
];

/** The HTTP/2 targets, spread into TARGETS. */
export const HTTP2_TARGETS: Record<string, FuzzTarget> = {
  "http2": { about: "HTTP/2 frame reader (server side), whole and chunked", run: http2, seeds: http2Seeds, dictionary: HTTP2_TOKENS },
  "hpack": { about: "HPACK decoder and Huffman code, with re-encoding", run: hpack, seeds: hpackSeeds, dictionary: HTTP2_TOKENS },
};
