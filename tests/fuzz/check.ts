/** What every fuzz target asserts, in one place. */
import { KitewireError } from "kitewire";

/** A property violated by an input: the fuzzer reports it as a finding. */
export class FuzzFinding extends Error {
  override name = "FuzzFinding";
}

/**
 * Runs `fn`; returns its result, or undefined if it threw a KitewireError (bad input
 * rejected as it should be). Any other exception is a finding and propagates.
 */
export function rejectsCleanly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof KitewireError) return undefined;
    throw error;
  }
}

/** Throws a FuzzFinding unless `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  let i = 0;
  const n = Math.min(a.length, b.length);
  while (i < n && a[i] === b[i]) i++;
  if (i === n && a.length === b.length) return;
  throw new FuzzFinding(`${what}: bytes differ at ${i} (lengths ${a.length}, ${b.length}): ${hex(a)} vs ${hex(b)}`);
}

/** Throws a FuzzFinding unless `ok`. */
export function holds(ok: boolean, what: string): void {
  if (!ok) throw new FuzzFinding(what);
}

export function hex(b: Uint8Array, max = 96): string {
  let s = "";
  for (let i = 0; i < Math.min(b.length, max); i++) s += b[i]!.toString(16).padStart(2, "0");
  return b.length > max ? `${s}...` : s;
}
