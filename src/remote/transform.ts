/**
 * Payload transforms of Apache THeader (zlib, snappy, ...): a registry by transform id.
 * The core ships none, because compression is a runtime facility (node:zlib is not there
 * in browsers and edge runtimes, and the web's CompressionStream is asynchronous, which a
 * frame decoder cannot wait on); the Node entry registers zlib (remote/node/zlib.ts), and
 * any runtime can register its own. A frame using an unregistered transform is answered
 * with TApplicationException INVALID_TRANSFORM, as HeaderFormat.md requires.
 */

/** Transform ids of HeaderFormat.md (they share one id space with info ids). */
export const TransformId = { ZLIB: 0x01, HMAC: 0x02, SNAPPY: 0x03 } as const;

export interface PayloadTransform {
  readonly id: number;
  /** The name clients configure it by (`transforms: ["zlib"]`). */
  readonly name: string;
  /** Applies the transform to an outgoing payload. */
  encode(payload: Uint8Array): Uint8Array;
  /**
   * Reverses it on an incoming payload. Must throw a KitewireError LENGTH_LIMIT rather than
   * produce more than `maxSize` bytes (the limit holds before the memory is taken), and
   * MALFORMED_FRAME for input it cannot reverse.
   */
  decode(payload: Uint8Array, maxSize: number): Uint8Array;
}

const byId = new Map<number, PayloadTransform>();

/** Makes `transform` available to every client and server in this process (replacing one of the same id). */
export function registerTransform(transform: PayloadTransform): void {
  byId.set(transform.id, transform);
}

/** The registered transform of `id`, if any. */
export function transformById(id: number): PayloadTransform | undefined {
  return byId.get(id);
}

/** The registered transform called `name`, if any. */
export function transformByName(name: string): PayloadTransform | undefined {
  for (const t of byId.values()) if (t.name === name) return t;
  return undefined;
}

/** A transform id's name for messages: its registered name, or the name HeaderFormat.md gives it. */
export function transformName(id: number): string {
  return byId.get(id)?.name ?? (["", "zlib", "hmac", "snappy"][id] || `transform ${id}`);
}
