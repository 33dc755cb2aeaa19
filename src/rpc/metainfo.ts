/**
 * Metainfo: key/values that travel with calls, in Kitex's three kinds. Transient values
 * go one hop (caller to callee), persistent ones along the whole call chain, backward ones
 * from callee to caller. In TTHeader they are string info keys with Kitex's prefixes.
 */

export const TRANSIT_PREFIX = "RPC_TRANSIT_";
export const PERSIST_PREFIX = "RPC_PERSIST_";
export const BACKWARD_PREFIX = "RPC_BACKWARD_";

export class Metainfo {
  /** Values for the next hop only. */
  readonly transient = new Map<string, string>();
  /** Values for every hop from here on. */
  readonly persistent = new Map<string, string>();
  /** Values for the caller, sent back with the reply. */
  readonly backward = new Map<string, string>();

  /** Adds the prefixed TTHeader keys of `info` to this metainfo (other keys are ignored). */
  static fromHeader(info: ReadonlyMap<string, string>, into = new Metainfo()): Metainfo {
    for (const [key, value] of info) {
      if (key.startsWith(TRANSIT_PREFIX)) into.transient.set(key.slice(TRANSIT_PREFIX.length), value);
      else if (key.startsWith(PERSIST_PREFIX)) into.persistent.set(key.slice(PERSIST_PREFIX.length), value);
      else if (key.startsWith(BACKWARD_PREFIX)) into.backward.set(key.slice(BACKWARD_PREFIX.length), value);
    }
    return into;
  }

  /** Writes the forward kinds (transient and persistent) as prefixed TTHeader keys. */
  writeForward(out: Map<string, string>): void {
    for (const [k, v] of this.transient) out.set(TRANSIT_PREFIX + k, v);
    for (const [k, v] of this.persistent) out.set(PERSIST_PREFIX + k, v);
  }

  /** Writes the backward kind as prefixed TTHeader keys. */
  writeBackward(out: Map<string, string>): void {
    for (const [k, v] of this.backward) out.set(BACKWARD_PREFIX + k, v);
  }

  /**
   * The metainfo of a call made while serving this one: persistent values continue, and
   * values received as transient do not (they were for this hop only).
   */
  forNextHop(): Metainfo {
    const next = new Metainfo();
    for (const [k, v] of this.persistent) next.persistent.set(k, v);
    return next;
  }
}
