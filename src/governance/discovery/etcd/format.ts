/**
 * How kitex-contrib/registry-etcd stores instances, so that Go Kitex services and kitewire
 * services find each other in one etcd:
 *  - key `kitex/registry-etcd/{service}/{host:port}` (no leading slash; the prefix is
 *    configurable there and here);
 *  - value the Go `json.Marshal` of `{Network, Address, Weight, Tags}`:
 *    `{"network":"tcp","address":"host:port","weight":N,"tags":{...}}`, fields in that
 *    order, no spaces, tag keys sorted, `"tags":null` without tags, and Go's string
 *    escaping (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes);
 *  - read as it reads them: a weight ≤ 0 (or absent) counts as 10, field names match
 *    case-insensitively (Go's `json.Unmarshal`), a value that does not decode is skipped.
 *    kitewire also skips a value without an address (there is nothing to call).
 * Runtime-agnostic: the etcd client itself is in etcd/node.
 */
import { DEFAULT_WEIGHT, makeInstance, splitAddress, type Instance } from "../instance.js";

/** registry-etcd's key prefix. */
export const ETCD_DEFAULT_PREFIX = "kitex/registry-etcd";

/** The TTL of registry-etcd's leases, in seconds. */
export const ETCD_DEFAULT_TTL_SECONDS = 60;

/**
 * The prefix under which `service`'s instances are stored, with a trailing slash (which
 * registry-etcd's resolver omits, so that resolving `echo` also finds `echo2`'s instances;
 * kitewire does not repeat that).
 */
export function etcdServicePrefix(prefix: string, service: string): string {
  return `${prefix}/${service}/`;
}

/** The key of `service`'s instance at `address`. */
export function etcdInstanceKey(prefix: string, service: string, address: string): string {
  return `${prefix}/${service}/${address}`;
}

/** The value registry-etcd writes for an instance, byte for byte. */
export function encodeEtcdValue(instance: { address: string; weight: number; tags?: Readonly<Record<string, string>> | undefined }): string {
  let tags = "null";
  if (instance.tags !== undefined) {
    // Go's json.Marshal writes a map's keys sorted by their bytes (UTF-8 order, which for
    // these strings is code point order).
    const keys = Object.keys(instance.tags).sort(compareCodePoints);
    tags = `{${keys.map((k) => `${goString(k)}:${goString(instance.tags![k]!)}`).join(",")}}`;
  }
  return `{"network":"tcp","address":${goString(instance.address)},"weight":${instance.weight},"tags":${tags}}`;
}

function compareCodePoints(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i]!.codePointAt(0)! - cb[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A string as Go's encoding/json writes it (HTML-safe, lone surrogates as U+FFFD). */
function goString(s: string): string {
  return JSON.stringify(s.replace(LONE_SURROGATE, "\ufffd")).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A decoded registry value, or why it was skipped. */
export type DecodedValue = { instance: Instance } | { error: string };

/** Reads a registry-etcd value as its resolver does (see the file comment). */
export function decodeEtcdValue(text: string): DecodedValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { error: "not a JSON object" };
  let address: unknown = null;
  let weight: unknown = null;
  let tags: unknown = null;
  let network: unknown = null;
  for (const [key, value] of Object.entries(parsed)) {
    switch (key.toLowerCase()) {
      case "address": address = value; break;
      case "weight": weight = value; break;
      case "tags": tags = value; break;
      case "network": network = value; break;
    }
  }
  if (network !== null && typeof network !== "string") return { error: "network is not a string" };
  if (address !== null && typeof address !== "string") return { error: "address is not a string" };
  if (weight !== null && !(typeof weight === "number" && Number.isSafeInteger(weight))) return { error: "weight is not an integer" };
  if (tags !== null && (typeof tags !== "object" || Array.isArray(tags) || Object.values(tags).some((v) => typeof v !== "string" && v !== null))) {
    return { error: "tags is not an object of strings" };
  }
  if (address === null || address === "") return { error: "no address" };
  if (splitAddress(address as string) === undefined) return { error: `address "${address as string}" is not host:port` };
  const w = weight === null || (weight as number) <= 0 ? DEFAULT_WEIGHT : (weight as number);
  const t: Record<string, string> = {};
  if (tags !== null) for (const [k, v] of Object.entries(tags as Record<string, string | null>)) t[k] = v ?? "";
  return { instance: makeInstance(address as string, w, t) };
}
