/**
 * Attempts: the context each try of a retried call runs with, and what the balancer needs
 * from it (which instances earlier attempts went to). Chain stop travels as Kitex's
 * persistent metainfo key `RetryReq` (`RPC_PERSIST_RetryReq` in TTHeader), valued with the
 * attempt's retry number.
 */
import { RpcContext } from "../../rpc/context.js";
import { Metainfo } from "../../rpc/metainfo.js";

/** Kitex's `retry.TransitKey`: present in the persistent metainfo of a request that is a retry. */
export const RETRY_REQUEST_KEY = "RetryReq";

/** One try of a call under a retry policy. */
export class AttemptContext extends RpcContext {
  /** The client transport this attempt is sent on (as `ClientCallContext.connection`). */
  connection: unknown;

  constructor(
    /** The call this attempt belongs to. */
    readonly call: RpcContext,
    /** 1 for the first attempt, 2 for the first retry, ... */
    readonly attempt: number,
    /** The call's attempts before this one (their `peer` once picked; the first may be the call's own context). */
    readonly earlier: readonly RpcContext[],
    /** Retry on the instance that the previous attempt went to. */
    readonly sameNode: boolean,
    signal: AbortSignal | undefined,
    metainfo: Metainfo,
  ) {
    super(call.service, call.method, signal, metainfo);
    this.transport = call.transport;
    // A client call's transport (ClientCallContext.connection): the attempt keeps it unless the balancer picks another.
    this.connection = (call as { connection?: unknown }).connection;
    this.peer = call.peer; // a fixed connection's address (the balancer sets a picked instance's)
    // The attempt's own deadline is set by the retry step, from these (Kitex's RPC timeout, per attempt).
    this.rpcTimeoutMs = call.rpcTimeoutMs;
    this.connectTimeoutMs = call.connectTimeoutMs;
    if (call.callDeadline !== undefined) this.deadline = this.callDeadline = call.callDeadline;
  }
}

/** The attempt number of `ctx`: 1 for a call's first attempt (which may run on the call's own context). */
export function attemptOf(ctx: RpcContext): number {
  return ctx instanceof AttemptContext ? ctx.attempt : 1;
}

const NONE: readonly string[] = Object.freeze([]);

/** Instances an attempt should avoid: those earlier attempts of its call went to (none with retry_same_node). */
export function avoidedPeers(ctx: RpcContext): readonly string[] {
  if (!(ctx instanceof AttemptContext) || ctx.sameNode) return NONE;
  const peers: string[] = [];
  for (const earlier of ctx.earlier) if (earlier.peer !== undefined) peers.push(earlier.peer);
  return peers;
}

/** The instance an attempt should go to (retry_same_node: the previous attempt's), if any. */
export function preferredPeer(ctx: RpcContext): string | undefined {
  return ctx instanceof AttemptContext && ctx.sameNode ? ctx.earlier[ctx.earlier.length - 1]?.peer : undefined;
}

/** Whether the call being served came as a retry (its persistent metainfo has `RetryReq`). */
export function isRetryRequest(ctx: RpcContext): boolean {
  return ctx.metainfo.persistent.has(RETRY_REQUEST_KEY);
}

/** The metainfo of retry number `retry` (≥ 1): the call's, plus `RetryReq`. */
export function retryMetainfo(call: Metainfo, retry: number): Metainfo {
  const m = new Metainfo();
  if (call.hasForward) {
    const forward = new Map<string, string>();
    call.writeForward(forward);
    m.readForward(forward);
  }
  m.persistent.set(RETRY_REQUEST_KEY, String(retry));
  return m;
}
