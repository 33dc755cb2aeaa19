/**
 * What every call carries, client side and server side. The RPC core fills these in;
 * generated client and handler interfaces name them.
 */

/** Options of one client call. */
export interface CallOptions {
  /** RPC timeout in milliseconds of each attempt of this call (overrides the client's; a retry gets its own). */
  timeoutMs?: number;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Key/values carried to the server with this call (metainfo). */
  metadata?: Record<string, string>;
}

/** What a handler sees of the call it is serving. */
export interface CallContext {
  /** The IDL service and method names. */
  readonly service: string;
  readonly method: string;
  /** When the caller stops waiting (ms since the epoch), if it said. */
  readonly deadline?: number;
  /** Key/values the caller sent (metainfo). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Aborted when the caller gives up or the server shuts down. */
  readonly signal?: AbortSignal;
}
