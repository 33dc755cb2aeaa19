import { describe, expect, it } from "vitest";
import { huffmanDecode, huffmanEncode, huffmanLength } from "../../../src/net/http2/huffman.js";
import { HpackDecoder, HpackEncoder } from "../../../src/net/http2/hpack.js";
import { KitewireError } from "../../../src/errors.js";
import { hpack } from "../../fuzz/http2-targets.js";

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

describe("HPACK Huffman code (RFC 7541 Appendix B)", () => {
  it("decodes and encodes the RFC's examples (C.4)", () => {
    for (const [text, coded] of [
      ["www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"],
      ["no-cache", "a8eb 1064 9cbf"],
      ["custom-key", "25a8 49e9 5ba9 7d7f"],
      ["custom-value", "25a8 49e9 5bb8 e8b4 bf"],
      ["Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"],
      ["https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"],
    ] as const) {
      const bytes = hex(coded);
      expect(huffmanDecode(bytes, 0, bytes.length)).toBe(text);
      expect(huffmanLength(text)).toBe(bytes.length);
      const out = new Uint8Array(64);
      expect(out.subarray(0, huffmanEncode(text, out, 0))).toEqual(bytes);
    }
  });

  it("round-trips every byte value, and rejects bad padding and EOS", () => {
    const text = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const out = new Uint8Array(1024);
    const end = huffmanEncode(text, out, 0);
    expect(huffmanDecode(out, 0, end)).toBe(text);
    expect(() => huffmanDecode(Uint8Array.of(0x00), 0, 1)).toThrow(KitewireError); // '0' then 3 zero bits of padding
    expect(() => huffmanDecode(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0, 4)).toThrow(/EOS|padding/);
  });
});

describe("HPACK header blocks (RFC 7541 C.3, C.4: requests with the dynamic table)", () => {
  it("decodes the three requests of C.4 with Huffman and the table", () => {
    const d = new HpackDecoder(4096, 65536);
    const b1 = hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff");
    expect(d.decode(b1, 0, b1.length)).toEqual({ ":method": "GET", ":scheme": "http", ":path": "/", ":authority": "www.example.com" });
    const b2 = hex("8286 84be 5886 a8eb 1064 9cbf");
    expect(d.decode(b2, 0, b2.length)).toEqual({ ":method": "GET", ":scheme": "http", ":path": "/", ":authority": "www.example.com", "cache-control": "no-cache" });
    const b3 = hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf");
    expect(d.decode(b3, 0, b3.length)).toEqual({ ":method": "GET", ":scheme": "https", ":path": "/index.html", ":authority": "www.example.com", "custom-key": "custom-value" });
  });

  it("round-trips blocks through its own encoder, the table in step across blocks", () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder(4096, 65536);
    for (let i = 0; i < 300; i++) {
      const headers = { ":status": "200", "content-type": "application/grpc", "grpc-status": String(i % 3), "x-trace": `t-${i}`, "grpc-message": "é%20 ok", "many": ["a", "b"] };
      const out = new Uint8Array(HpackEncoder.bound(headers));
      const end = e.encode(headers, out, 0);
      expect(d.decode(out, 0, end)).toEqual(headers);
    }
    e.setMaxSize(0);
    const out = new Uint8Array(256);
    const end = e.encode({ a: "b" }, out, 0);
    expect(d.decode(out, 0, end)).toEqual({ a: "b" });
  });

  it("rejects bad blocks with the offset, and bounds the list", () => {
    const d = new HpackDecoder(4096, 100);
    expect(() => d.decode(Uint8Array.of(0x80), 0, 1, 1000)).toThrow(/index 0.*at byte 1000/);
    expect(() => d.decode(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 0, 7)).toThrow(/integer/);
    expect(() => d.decode(Uint8Array.of(0x40, 0x7f, 0x10), 0, 3)).toThrow(/runs past/);
    expect(() => d.decode(Uint8Array.of(0x3f, 0xe2, 0x1f), 0, 3)).toThrow(/table size/);
    expect(() => d.decode(Uint8Array.of(0xc0), 0, 1)).toThrow(/past the table/);
    const e = new HpackEncoder();
    const big = { "x-big": "v".repeat(200) };
    const out = new Uint8Array(HpackEncoder.bound(big));
    const end = e.encode(big, out, 0);
    expect(d.decode(out, 0, end)).toEqual({});
    expect(d.oversized).toBe(true);
  });
});

describe("HPACK, findings of the hpack fuzz target", () => {
  it("names and values with NUL bytes do not collide in the encoder's table", () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder(4096, 65536);
    for (const headers of [{ "": "\0" }, { "\0": "" }, { "": ["", "\0"], "\0": "" }]) {
      const out = new Uint8Array(HpackEncoder.bound(headers));
      expect(d.decode(out, 0, e.encode(headers, out, 0))).toEqual(headers);
    }
  });

  it("the finding itself (.tmp/fuzz/findings/hpack-crash-c00b387f...) holds", () => {
    const finding = hex("ff00000000010000884009894006 7a4579000000000000010000000000000000 0f000000000904000000016e7901617e0162");
    expect(() => hpack(finding)).not.toThrow();
  });

  it("a header named __proto__ or constructor is kept as a header", () => {
    const e = new HpackEncoder();
    const d = new HpackDecoder(4096, 65536);
    const out = new Uint8Array(256);
    const end = e.encode({ constructor: "a", __proto__x: "b" }, out, 0);
    const h = d.decode(out, 0, end);
    expect(h["constructor"]).toBe("a");
    const raw = Uint8Array.of(0x00, 9, ...new TextEncoder().encode("__proto__"), 1, 0x76, 0x00, 11, ...new TextEncoder().encode("constructor"), 1, 0x77);
    const got = d.decode(raw, 0, raw.length);
    expect(Object.keys(got)).toEqual(["__proto__", "constructor"]);
    expect(got["constructor"]).toBe("w");
  });
});
