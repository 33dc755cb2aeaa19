/**
 * Test certificates made in-process (no openssl): a CA, and certificates it signs, as
 * ECDSA P-256 X.509 in PEM. Only the DER needed for Node's TLS to accept them is built.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

function len(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}
const tlv = (tag: number, body: Uint8Array | number[]): number[] => [tag, ...len(body.length), ...body];
const seq = (...items: number[][]) => tlv(0x30, items.flat());
const set = (...items: number[][]) => tlv(0x31, items.flat());
const explicit = (n: number, item: number[]) => tlv(0xa0 | n, item);
const integer = (bytes: number[]) => tlv(0x02, bytes[0]! & 0x80 ? [0, ...bytes] : bytes);
const bool = (v: boolean) => tlv(0x01, [v ? 0xff : 0]);
const octets = (body: number[]) => tlv(0x04, body);
const bits = (body: Uint8Array | number[]) => tlv(0x03, [0, ...body]);
const utf8 = (s: string) => tlv(0x0c, [...Buffer.from(s, "utf8")]);
function oid(dotted: string): number[] {
  const parts = dotted.split(".").map(Number);
  const body = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    body.push(...chunk);
  }
  return tlv(0x06, body);
}
function utcTime(d: Date): number[] {
  const s = d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
  return tlv(0x17, [...Buffer.from(s, "ascii")]);
}
const name = (cn: string) => seq(set(seq(oid("2.5.4.3"), utf8(cn))));
const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

export interface Issued {
  cert: string;
  key: string;
  keyObject: KeyObject;
  cn: string;
}

let serial = 1;

/** Issues a certificate for `cn` signed by `issuer` (self-signed when omitted; then a CA). */
export function issue(cn: string, issuer?: Issued, options: { ip?: string; dns?: string } = {}): Issued {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const now = Date.now();
  const extensions: number[][] = [];
  extensions.push(seq(oid("2.5.29.19"), bool(true), octets(seq(...(issuer ? [] : [bool(true)])))));
  const san: number[] = [];
  if (options.dns) san.push(...tlv(0x82, [...Buffer.from(options.dns, "ascii")]));
  if (options.ip) san.push(...tlv(0x87, options.ip.split(".").map(Number)));
  if (san.length) extensions.push(seq(oid("2.5.29.17"), octets(tlv(0x30, san))));
  const tbs = seq(
    explicit(0, integer([2])),
    integer([serial++ & 0x7f, 1, 2, 3]),
    ECDSA_SHA256,
    name(issuer?.cn ?? cn),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 24 * 3600_000))),
    name(cn),
    [...publicKey.export({ type: "spki", format: "der" })],
    explicit(3, seq(...extensions)),
  );
  const signer = issuer?.keyObject ?? privateKey;
  const signature = sign("sha256", Buffer.from(tbs), signer);
  const der = Buffer.from(seq(tbs, ECDSA_SHA256, bits(signature)));
  const cert = `-----BEGIN CERTIFICATE-----\n${der.toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
  const key = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { cert, key, keyObject: createPrivateKey(key), cn };
}
