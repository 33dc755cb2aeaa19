/**
 * Metainfo: key/values that travel with calls, in Kitex's three kinds. Transient values
 * go one hop (caller to callee), persistent ones along the whole call chain, backward ones
 * from callee to caller. In TTHeader they are string info keys with Kitex's prefixes.
 * Apache THeader's info headers are plain key/values for one hop: there a key without a
 * prefix is a transient value on a request and a backward value on a reply (what Apache
 * peers set and read with `set_header`/`get_headers`), and the prefixes mark the rest.
 */

export const TRANSIT_PREFIX = "RPC_TRANSIT_";
export const PERSIST_PREFIX = "RPC_PERSIST_";
export const BACKWARD_PREFIX = "RPC_BACKWARD_";

/** Most calls carry no metainfo: each kind's Map is made the first time it is asked for. */
export class Metainfo {
  private transientValues: Map<string, string> | undefined;
  private persistentValues: Map<string, string> | undefined;
  private backwardValues: Map<string, string> | undefined;

  /** Values for the next hop only. */
  get transient(): Map<string, string> {
    return (this.transientValues ??= new Map());
  }

  /** Values for every hop from here on. */
  get persistent(): Map<string, string> {
    return (this.persistentValues ??= new Map());
  }

  /** Values for the caller, sent back with the reply. */
  get backward(): Map<string, string> {
    return (this.backwardValues ??= new Map());
  }

  /** Whether there are transient or persistent values to send. */
  get hasForward(): boolean {
    return (this.transientValues?.size ?? 0) + (this.persistentValues?.size ?? 0) > 0;
  }

  /** Whether there are backward values to send. */
  get hasBackward(): boolean {
    return (this.backwardValues?.size ?? 0) > 0;
  }

  /**
   * Adds the forward kinds (transient, persistent) among a request's string info; with
   * `plain` (Apache THeader) unprefixed keys are transient values.
   */
  readForward(info: ReadonlyMap<string, string>, plain = false): void {
    for (const [key, value] of info) {
      if (key.startsWith(TRANSIT_PREFIX)) this.transient.set(unprefixed(key, TRANSIT_PREFIX), value);
      else if (key.startsWith(PERSIST_PREFIX)) this.persistent.set(unprefixed(key, PERSIST_PREFIX), value);
      else if (plain && !key.startsWith(BACKWARD_PREFIX)) this.transient.set(key, value);
    }
  }

  /**
   * Adds the backward kind among a reply's string info; with `plain` (Apache THeader)
   * unprefixed keys other than `reserved` ones (the framework's own) are backward values.
   */
  readBackward(info: ReadonlyMap<string, string>, plain = false, reserved?: ReadonlySet<string>): void {
    for (const [key, value] of info) {
      if (key.startsWith(BACKWARD_PREFIX)) this.backward.set(key.slice(BACKWARD_PREFIX.length), value);
      else if (plain && !reserved?.has(key) && !key.startsWith(TRANSIT_PREFIX) && !key.startsWith(PERSIST_PREFIX)) this.backward.set(key, value);
    }
  }

  /** Writes the forward kinds as prefixed keys; with `plain` (Apache THeader) transient values without a prefix. */
  writeForward(out: Map<string, string>, plain = false): void {
    if (this.transientValues) for (const [k, v] of this.transientValues) out.set(plain ? k : prefixed(transitKeys, TRANSIT_PREFIX, k), v);
    if (this.persistentValues) for (const [k, v] of this.persistentValues) out.set(prefixed(persistKeys, PERSIST_PREFIX, k), v);
  }

  /** Writes the backward kind as prefixed keys; with `plain` (Apache THeader) without a prefix. */
  writeBackward(out: Map<string, string>, plain = false): void {
    if (this.backwardValues) for (const [k, v] of this.backwardValues) out.set(plain ? k : BACKWARD_PREFIX + k, v);
  }

  /**
   * The metainfo of a call made while serving this one: persistent values continue, and
   * values received as transient do not (they were for this hop only).
   */
  forNextHop(): Metainfo {
    const next = new Metainfo();
    if (this.persistentValues) next.persistentValues = new Map(this.persistentValues);
    return next;
  }
}

/**
 * Keys with and without their prefix, for the keys seen so far (a service uses a handful:
 * `traceparent`, `RetryReq`, ...): a call's metainfo keys are then neither concatenated nor
 * sliced, and the strings the Maps get are ones whose hash is known. At most KEYS_KEPT in
 * each, of at most KEY_KEPT_LENGTH characters (a peer's made-up keys then hold at most
 * ~32 KiB each): other keys are prefixed or cut per call.
 */
const KEYS_KEPT = 256;
const KEY_KEPT_LENGTH = 64;
const transitKeys = new Map<string, string>();
const persistKeys = new Map<string, string>();
const unprefixedKeys = new Map<string, string>();

/** `prefix + key`, `keys` remembering it. */
function prefixed(keys: Map<string, string>, prefix: string, key: string): string {
  let out = keys.get(key);
  if (out === undefined) {
    out = prefix + key;
    if (keys.size < KEYS_KEPT && key.length <= KEY_KEPT_LENGTH) keys.set(key, out);
  }
  return out;
}

/** `key` without its `prefix`. */
function unprefixed(key: string, prefix: string): string {
  let out = unprefixedKeys.get(key);
  if (out === undefined) {
    out = key.slice(prefix.length);
    if (unprefixedKeys.size < KEYS_KEPT && key.length <= KEY_KEPT_LENGTH) unprefixedKeys.set(key, out);
  }
  return out;
}
