/**
 * What the socket thread and the server threads of `listen(server, { threads })` say to
 * each other: frames over two rings per server thread (net/shm), tagged with a call id;
 * control messages (ready, drain) over the worker's message port.
 */
import { ErrorCode, KitewireError, messageWithoutOffset } from "../../../errors.js";
import type { Transport } from "../../../remote/transport.js";

/**
 * To a server thread, a ring message's kind is `type | connection << 6`: the type a
 * request's transport code (below 32), OPEN or CLOSE; the connection a number (24 bits)
 * the socket thread gives each connection.
 */
export function toThread(type: number, connection: number): number {
  return type | (connection << 6);
}
/** To a server thread: a connection it will get calls from (its peer in UTF-8). */
export const OPEN = 62;
/** To a server thread: that connection closed. */
export const CLOSE = 63;

// An HTTP/2 (gRPC) connection is pinned to one server thread, which runs it; the socket
// thread relays its bytes (threads/http2-relay.ts, threads/http2-thread.ts). Kinds to the
// thread, `type | connection << 6` as above:
/** A connection pinned to this thread (its peer in UTF-8). */
export const H2_OPEN = 56;
/** Bytes the socket read. */
export const H2_BYTES = 57;
/** The socket closed. */
export const H2_CLOSED = 58;
/** `tag` bytes the thread sent were taken by the socket (write credit back). */
export const H2_CREDIT = 59;
/** No byte either way for the listener's idleTimeoutMs: GOAWAY. */
export const H2_IDLE = 60;

/** From a server thread: the call's reply frame. */
export const REPLY = 1;
/** From a server thread: the call is over with no reply (oneway). */
export const DONE = 2;
/** From a server thread: the call could not be served (`failureBytes`): its connection is closed. */
export const FAIL = 3;
/** From a server thread: bytes for HTTP/2 connection `tag`'s socket. */
export const H2_WRITE = 4;
/** From a server thread: end HTTP/2 connection `tag`'s socket once what was written is sent. */
export const H2_END = 5;
/** From a server thread: a rejection to log on the socket thread (`rejectionBytes`), as on one thread. */
export const REJECTED = 6;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A KitewireError as it crosses to the socket thread: its code, offset and message (without
 * the offset, which the error made again names once) and the details `Server.rejected` reads.
 */
interface ErrorFields {
  code: ErrorCode;
  at?: number;
  message: string;
  detected?: unknown;
}

function errorFields(error: unknown, code: ErrorCode): ErrorFields {
  const e = KitewireError.from(error, code);
  return { code: e.code, at: e.offset, message: messageWithoutOffset(e), detected: e.details?.["detected"] };
}

function errorOf(f: ErrorFields, prefix = ""): KitewireError {
  const details = f.detected === undefined ? undefined : { detected: f.detected };
  return new KitewireError(f.code, prefix + f.message, { offset: f.at, details, stack: false });
}

/** A FAIL message's bytes: the error's code, offset and message, so the socket thread logs the reason the thread found. */
export function failureBytes(error: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(errorFields(error, ErrorCode.INVALID_STATE)));
}

/** The error a FAIL message from server thread `index` carries (INVALID_STATE if it is not one failureBytes made). */
export function failureOf(bytes: Uint8Array, index: number): KitewireError {
  const text = decoder.decode(bytes);
  const prefix = `server thread ${index}: `;
  try {
    const f = JSON.parse(text) as ErrorFields;
    if (typeof f.code === "string" && typeof f.message === "string") return errorOf(f, prefix);
  } catch {
    // not ours: below
  }
  return new KitewireError(ErrorCode.INVALID_STATE, prefix + text, { stack: false });
}

/** A REJECTED message's bytes: what `Server.rejected` was told on the thread. */
export function rejectionBytes(peer: string | undefined, error: unknown, reason: string | undefined, offset: number | undefined): Uint8Array {
  return encoder.encode(JSON.stringify({ peer, reason, offset, ...errorFields(error, ErrorCode.CONNECTION) }));
}

/** The arguments of `Server.rejected` a REJECTED message carries (the error as the thread made it, without its stack). */
export function rejectionOf(bytes: Uint8Array): [peer: string | undefined, error: KitewireError, reason: string | undefined, offset: number | undefined] {
  const r = JSON.parse(decoder.decode(bytes)) as ErrorFields & { peer?: string; reason?: string; offset?: number };
  return [r.peer, errorOf(r), r.reason, r.offset];
}

const FRAMINGS = ["buffered", "framed", "ttheader", "ttheader-framed", "theader", "kitex-protobuf"] as const;
const PROTOCOLS = ["binary", "compact", "protobuf"] as const;

/** A transport as a number below 32. */
export function transportCode(t: Transport): number {
  return FRAMINGS.indexOf(t.framing) * 4 + PROTOCOLS.indexOf(t.protocol);
}

/** The workerData of a server thread. */
export interface ServerThreadData {
  kitewireServerThread: true;
  /** The module whose default export makes the thread's Server. */
  module: string;
  /** Which thread (0..N-1), and which incarnation of it. */
  index: number;
  requests: SharedArrayBuffer;
  replies: SharedArrayBuffer;
  /** How long its reader looks for frames before it waits (Ring.ready). */
  spinMicros: number;
  /** How it serves the HTTP/2 connections pinned to it (http2-thread.ts). */
  http2: ThreadHttp2Options;
}

/** The listener's gRPC settings, as a server thread needs them (plain data: they cross to the thread). */
export interface ThreadHttp2Options {
  /** listen's `grpc` options, compressions by name. */
  grpc: Record<string, unknown> & { compressions?: string[] };
  /** The listener's Server's: streams per connection, and the thread's budget of partial messages. */
  maxConcurrentStreams: number;
  maxPartialFrameBytes: number;
  /** Bytes sent to the socket thread and not yet taken by the socket past which the connection holds back. */
  maxUnsentBytes: number;
}

/** Messages on a server thread's port. */
export type ToThread = { type: "drain" };
export type FromThread = { type: "ready" } | { type: "failed"; message: string };

export function isServerThreadData(data: unknown): data is ServerThreadData {
  return typeof data === "object" && data !== null && (data as ServerThreadData).kitewireServerThread === true;
}
