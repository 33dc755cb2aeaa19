/**
 * The per-call context middleware and handlers see, on both sides of a call.
 */
import type { Transport } from "../remote/transport.js";
import type { CallContext } from "../service/context.js";
import { Metainfo } from "./metainfo.js";

/** A business status carried in TTHeader (`biz-status`, `biz-message`, `biz-extra`). */
export interface BizStatus {
  status: number;
  message: string;
  extra?: Record<string, string>;
}

/**
 * What a client's I/O endpoint tells the retry step right above it of a call's first
 * attempt (`RpcContext.firstAttempt`), so that the retry step need not chain a promise of
 * its own onto every call to learn the outcome.
 */
export interface FirstAttemptReport {
  /** The first attempt succeeded. */
  succeeded(): void;
  /** The first attempt failed with `error`: returns the call's outcome from here (its retries, or `error`). */
  failed(ctx: RpcContext, args: unknown, error: unknown): Promise<unknown>;
}

export class RpcContext implements CallContext {
  /** Metainfo of the call: received values on the server, values to send on the client. */
  readonly metainfo: Metainfo;
  /** Deadline (ms since the epoch), if the call has one; on a client, the current attempt's. */
  deadline?: number;
  /**
   * Client: the RPC timeout of each attempt in ms (0: none), Kitex's RPCTimeout: an attempt's
   * `deadline` is its start plus this, never past `callDeadline`.
   */
  rpcTimeoutMs = 0;
  /** Client: the whole call's deadline (the served call's it continues), which no attempt outlives. */
  callDeadline?: number;
  /** Client: the connect timeout in ms for a connection this call opens (undefined: the transport's). */
  connectTimeoutMs?: number;
  /** Sequence id on the wire. */
  seqid = 0;
  /** The remote address, as `host:port`, once known. */
  peer?: string;
  /** The transport the call travels on (set by the remote layer). */
  transport?: Transport;
  /** A business status set by a handler, or received by a client. */
  bizStatus?: BizStatus;
  /** The calling service's name: a client's `fromService`; on a server, what the caller sent (TTHeader FromService). */
  caller?: string;
  /** Retries this call made (set on the call's context by the retry middleware): Kitex's retry tag, the `retry` metric label. */
  retries = 0;
  /** The served call this client call was made from (`callOptions.context`), whose trace it continues. */
  parent?: RpcContext;
  /** When the call started (ms on the `performance.now()` clock), for tracers that time calls: the first to need it stamps it. */
  startedAt = 0;
  /** What a tracer keeps for the call (the OpenTelemetry tracer: its span's Context). */
  trace?: unknown;
  /** Client: set by a retry step right above the I/O endpoint, which reports the first attempt's outcome to it (and clears it). */
  firstAttempt?: FirstAttemptReport;
  private signalValue: AbortSignal | undefined;

  constructor(
    /** IDL service name. */
    readonly service: string,
    /** IDL method name. */
    readonly method: string,
    /** Aborted when the call is given up (timeout, caller cancel, shutdown). */
    signal?: AbortSignal,
    metainfo?: Metainfo,
  ) {
    this.signalValue = signal;
    this.metainfo = metainfo ?? new Metainfo();
  }

  /** Aborted when the call is given up (timeout, caller cancel, shutdown). */
  get signal(): AbortSignal | undefined {
    return (this.signalValue ??= this.makeSignal());
  }

  /** Makes the signal the first time it is asked for (a server's, which most handlers never need). */
  protected makeSignal(): AbortSignal | undefined {
    return undefined;
  }

  /** Received transient and persistent values (the forward kinds), flattened for handlers. */
  get metadata(): Readonly<Record<string, string>> {
    return Object.fromEntries([...this.metainfo.persistent, ...this.metainfo.transient]);
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  remaining(now = Date.now()): number {
    return this.deadline === undefined ? Infinity : this.deadline - now;
  }
}
