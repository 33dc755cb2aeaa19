/** gRPC options of servers and clients: the full sets, the defaults, and the one place they are checked. */
import { ErrorCode, KitewireError } from "../errors.js";
import type { GrpcCompression } from "./message.js";

/** What a server's gRPC side accepts and how it treats its peers (beyond the `ServerOptions` it shares). */
export interface GrpcServerOptions {
  /** Largest request message accepted, before and after decompression (default 4 MiB, as gRPC's). Over it: RESOURCE_EXHAUSTED. */
  maxReceiveMessageBytes: number;
  /** Largest response message sent (default 16 MiB). Over it: the call fails with RESOURCE_EXHAUSTED. */
  maxSendMessageBytes: number;
  /** Compressions offered, by `grpc-encoding` name (the Node adapter adds gzip). */
  compressions: readonly GrpcCompression[];
  /** For streams: the longest wait for the next request message (0: none; the call's deadline still applies). */
  receiveTimeoutMs: number;
  /** A stream whose response cannot be written (the client stops reading) for this long is reset. */
  writeTimeoutMs: number;
  /** Request messages queued for a handler before the stream stops being read (HTTP/2 flow control then holds the client). */
  queuedMessages: number;
  /** Send a PING on a connection idle for this long and close it if no answer comes in keepaliveTimeoutMs (0: no pings). */
  keepaliveIntervalMs: number;
  keepaliveTimeoutMs: number;
  /** HTTP/2 flow-control window of each stream (SETTINGS_INITIAL_WINDOW_SIZE). */
  initialWindowSize: number;
  /**
   * Serve gRPC server reflection (`grpc.reflection.v1` and `v1alpha`), so that tools list
   * and call the services without their .proto files (off by default: it shows the schema).
   */
  reflection: boolean;
}

export const GRPC_SERVER_DEFAULTS: Readonly<GrpcServerOptions> = Object.freeze({
  maxReceiveMessageBytes: 4 << 20,
  maxSendMessageBytes: 16 << 20,
  compressions: [],
  receiveTimeoutMs: 0,
  writeTimeoutMs: 30_000,
  queuedMessages: 16,
  keepaliveIntervalMs: 7_200_000,
  keepaliveTimeoutMs: 20_000,
  initialWindowSize: 1 << 20,
  reflection: false,
});

/** Options of a gRPC client's channel and calls (beyond the `ClientOptions` it shares). */
export interface GrpcClientOptions {
  /** Largest response message accepted, before and after decompression (default 4 MiB). */
  maxReceiveMessageBytes: number;
  /** Largest request message sent (default 16 MiB). */
  maxSendMessageBytes: number;
  /** Compress requests with this (its `name` goes in `grpc-encoding`); responses in any of `compressions` are accepted. */
  compression?: GrpcCompression;
  /** Compressions accepted in responses (`grpc-accept-encoding`). */
  compressions: readonly GrpcCompression[];
  /** For streams: the longest wait for the next response message (0: none; the call's deadline still applies). */
  receiveTimeoutMs: number;
  /** Response messages queued for the caller before the stream stops being read. */
  queuedMessages: number;
  /** PING an idle connection this often and close it if no answer comes in keepaliveTimeoutMs (0: no pings). */
  keepaliveIntervalMs: number;
  keepaliveTimeoutMs: number;
  /** HTTP/2 flow-control window of each stream. */
  initialWindowSize: number;
  /** Connect timeout, ms. */
  connectTimeoutMs: number;
}

export const GRPC_CLIENT_DEFAULTS: Readonly<GrpcClientOptions> = Object.freeze({
  maxReceiveMessageBytes: 4 << 20,
  maxSendMessageBytes: 16 << 20,
  compressions: [],
  receiveTimeoutMs: 0,
  queuedMessages: 16,
  keepaliveIntervalMs: 0,
  keepaliveTimeoutMs: 20_000,
  initialWindowSize: 1 << 20,
  connectTimeoutMs: 5_000,
});

const POSITIVE = ["maxReceiveMessageBytes", "maxSendMessageBytes", "queuedMessages", "keepaliveTimeoutMs", "initialWindowSize"] as const;
const NON_NEGATIVE = ["receiveTimeoutMs", "keepaliveIntervalMs"] as const;

function check(o: Record<string, unknown>, side: string, positive: readonly string[], nonNegative: readonly string[]): void {
  for (const key of positive) {
    const v = o[key] as number;
    if (!(Number.isFinite(v) && v > 0)) throw new KitewireError(ErrorCode.INVALID_VALUE, `gRPC ${side} option ${key} must be a positive number, got ${v}`);
  }
  for (const key of nonNegative) {
    const v = o[key] as number;
    if (!(Number.isFinite(v) && v >= 0)) throw new KitewireError(ErrorCode.INVALID_VALUE, `gRPC ${side} option ${key} must be 0 or more, got ${v}`);
  }
  if ((o["initialWindowSize"] as number) > 0x7fffffff) throw new KitewireError(ErrorCode.INVALID_VALUE, "gRPC option initialWindowSize must be at most 2^31-1");
}

/** Fills in defaults (`compressions` extended by the runtime's `builtin` ones) and rejects impossible settings. */
export function makeGrpcServerOptions(options: Partial<GrpcServerOptions> = {}, builtin: readonly GrpcCompression[] = []): Readonly<GrpcServerOptions> {
  const o = { ...GRPC_SERVER_DEFAULTS, ...options };
  if (options.compressions === undefined) o.compressions = builtin;
  check(o, "server", [...POSITIVE, "writeTimeoutMs"], NON_NEGATIVE);
  return Object.freeze(o);
}

/** Fills in defaults and rejects impossible settings. */
export function makeGrpcClientOptions(options: Partial<GrpcClientOptions> = {}, builtin: readonly GrpcCompression[] = []): Readonly<GrpcClientOptions> {
  const o = { ...GRPC_CLIENT_DEFAULTS, ...options };
  if (options.compressions === undefined) o.compressions = builtin;
  if (o.compression !== undefined && !o.compressions.includes(o.compression)) o.compressions = [...o.compressions, o.compression];
  check(o, "client", [...POSITIVE, "connectTimeoutMs"], NON_NEGATIVE);
  return Object.freeze(o);
}
