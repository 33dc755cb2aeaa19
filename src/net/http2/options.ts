/** Options of an HTTP/2 connection (either side): what it advertises and the bounds it holds its peer to. */
import { ErrorCode, KitewireError } from "../../errors.js";
import { DEFAULT_MAX_FRAME, MAX_WINDOW } from "./constants.js";

export interface Http2Options {
  /** Streams the peer may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); more are refused (REFUSED_STREAM). */
  maxConcurrentStreams: number;
  /** Each stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE): what a peer may send before this side reads. */
  initialWindowSize: number;
  /** The connection's receive window (at least 65535). */
  connectionWindowSize: number;
  /** Largest frame payload accepted (SETTINGS_MAX_FRAME_SIZE). */
  maxFrameSize: number;
  /** Largest decoded header list (SETTINGS_MAX_HEADER_LIST_SIZE, RFC 7541 sizes); also bounds a header block's bytes. */
  maxHeaderListSize: number;
  /** The HPACK dynamic table this side keeps for the peer's blocks (SETTINGS_HEADER_TABLE_SIZE). */
  headerTableSize: number;
  /** Frames per header block (HEADERS + CONTINUATION) before the block is a flood. */
  maxContinuationFrames: number;
  /** Streams the peer may reset per second before the connection is closed (ENHANCE_YOUR_CALM: rapid reset). */
  maxResetsPerSecond: number;
  /** PING, SETTINGS, PRIORITY and empty DATA frames accepted per second before the connection is closed. */
  maxControlFramesPerSecond: number;
  /** Runs the batched write of a tick (default queueMicrotask; Node: setImmediate, which gathers a whole I/O turn). */
  schedule: (fn: () => void) => void;
}

export const HTTP2_DEFAULTS: Readonly<Http2Options> = Object.freeze({
  maxConcurrentStreams: 1000,
  initialWindowSize: 1 << 20,
  connectionWindowSize: 16 << 20,
  maxFrameSize: DEFAULT_MAX_FRAME,
  maxHeaderListSize: 64 << 10,
  headerTableSize: 4096,
  maxContinuationFrames: 64,
  maxResetsPerSecond: 1000,
  maxControlFramesPerSecond: 2000,
  schedule: (fn: () => void) => queueMicrotask(fn),
});

/** Fills in defaults and rejects values HTTP/2 does not allow. */
export function makeHttp2Options(options: Partial<Http2Options> = {}): Readonly<Http2Options> {
  const o = { ...HTTP2_DEFAULTS, ...options };
  const bad = (key: string, want: string) => new KitewireError(ErrorCode.INVALID_VALUE, `HTTP/2 option ${key} must be ${want}, got ${(o as Record<string, unknown>)[key]}`);
  for (const key of ["maxConcurrentStreams", "maxHeaderListSize", "maxContinuationFrames", "maxResetsPerSecond", "maxControlFramesPerSecond"] as const) {
    if (!(Number.isInteger(o[key]) && o[key] > 0)) throw bad(key, "a positive integer");
  }
  if (!(Number.isInteger(o.initialWindowSize) && o.initialWindowSize >= 0 && o.initialWindowSize <= MAX_WINDOW)) throw bad("initialWindowSize", "0..2^31-1");
  if (!(Number.isInteger(o.connectionWindowSize) && o.connectionWindowSize >= 65535 && o.connectionWindowSize <= MAX_WINDOW)) throw bad("connectionWindowSize", "65535..2^31-1");
  if (!(Number.isInteger(o.maxFrameSize) && o.maxFrameSize >= DEFAULT_MAX_FRAME && o.maxFrameSize <= 0xffffff)) throw bad("maxFrameSize", "16384..16777215");
  if (!(Number.isInteger(o.headerTableSize) && o.headerTableSize >= 0 && o.headerTableSize <= 65536)) throw bad("headerTableSize", "0..65536");
  return Object.freeze(o);
}
