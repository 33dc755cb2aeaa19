/**
 * What discovery finds: the instances of a service, each an address to call with a weight
 * and tags (Kitex's `discovery.Instance`).
 */
import { ErrorCode, KitewireError } from "../../errors.js";

/** One callable instance of a service. */
export interface Instance {
  /** `host:port` (an IPv6 host in brackets: `[::1]:8888`). */
  readonly address: string;
  /** Its share of calls relative to the other instances' (a positive integer). */
  readonly weight: number;
  /** Free-form labels (`cluster`, `idc`, `version`, ...) that clients may filter on. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The weight of an instance registered without one (Kitex's `discovery.DefaultWeight`). */
export const DEFAULT_WEIGHT = 10;

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

/** Splits `host:port` (IPv6 hosts bracketed); undefined if it is not one. */
export function splitAddress(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const portText = address.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) return undefined;
  let host = address.slice(0, colon);
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) return undefined;
    host = host.slice(1, -1);
  } else if (host.includes(":")) {
    return undefined; // an unbracketed IPv6 address: the port is ambiguous
  }
  return host === "" ? undefined : { host, port };
}

/** `host:port`, with an IPv6 host bracketed. */
export function joinAddress(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * An instance, checked: `address` must be `host:port`, `weight` (default 10) a positive
 * integer. Throws INVALID_VALUE saying which.
 */
export function makeInstance(address: string, weight: number = DEFAULT_WEIGHT, tags?: Readonly<Record<string, string>>): Instance {
  if (splitAddress(address) === undefined) throw new KitewireError(ErrorCode.INVALID_VALUE, `instance address "${address}" is not host:port`);
  if (!Number.isSafeInteger(weight) || weight <= 0) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `instance ${address}: weight must be a positive integer, got ${weight}`);
  }
  return Object.freeze({ address, weight, tags: tags === undefined ? NO_TAGS : Object.freeze({ ...tags }) });
}

/** Whether two instances are the same in address, weight and tags. */
export function sameInstance(a: Instance, b: Instance): boolean {
  if (a.address !== b.address || a.weight !== b.weight) return false;
  const ka = Object.keys(a.tags);
  if (ka.length !== Object.keys(b.tags).length) return false;
  for (const k of ka) if (a.tags[k] !== b.tags[k]) return false;
  return true;
}

/** Whether `instance` carries every tag of `wanted` with the same value. */
export function hasTags(instance: Instance, wanted: Readonly<Record<string, string>>): boolean {
  for (const k in wanted) if (instance.tags[k] !== wanted[k]) return false;
  return true;
}
