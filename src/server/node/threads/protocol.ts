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

/** From a server thread: the call's reply frame. */
export const REPLY = 1;
/** From a server thread: the call is over with no reply (oneway). */
export const DONE = 2;
/** From a server thread: the call could not be served (`failureBytes`): its connection is closed. */
export const FAIL = 3;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A FAIL message's bytes: the error's code, offset and message, so the socket thread logs the reason the thread found. */
export function failureBytes(error: unknown): Uint8Array {
  // failureOf makes a KitewireError of the message and offset again: the offset is named once.
  const fields = error instanceof KitewireError
    ? { code: error.code, offset: error.offset, message: messageWithoutOffset(error) }
    : { code: ErrorCode.INVALID_STATE, message: error instanceof Error ? error.message : String(error) };
  return encoder.encode(JSON.stringify(fields));
}

/** The error a FAIL message from server thread `index` carries (INVALID_STATE if it is not one failureBytes made). */
export function failureOf(bytes: Uint8Array, index: number): KitewireError {
  const text = decoder.decode(bytes);
  try {
    const { code, offset, message } = JSON.parse(text) as { code: ErrorCode; offset?: number; message: string };
    if (typeof code === "string" && typeof message === "string") {
      return new KitewireError(code, `server thread ${index}: ${message}`, { offset, stack: false });
    }
  } catch {
    // not ours: below
  }
  return new KitewireError(ErrorCode.INVALID_STATE, `server thread ${index}: ${text}`, { stack: false });
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
}

/** Messages on a server thread's port. */
export type ToThread = { type: "drain" };
export type FromThread = { type: "ready" } | { type: "failed"; message: string };

export function isServerThreadData(data: unknown): data is ServerThreadData {
  return typeof data === "object" && data !== null && (data as ServerThreadData).kitewireServerThread === true;
}
