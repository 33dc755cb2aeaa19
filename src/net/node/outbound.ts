/**
 * The write side of a connection: frames written within one tick leave in one socket
 * write, each copied once, straight out of engine memory, into a staging buffer.
 *
 * Why not `socket.write(frame)` per frame: a frame must be copied out of engine memory
 * anyway (the arena is reused by the next message and memory may grow), and a copy per
 * frame into an ArrayBuffer of its own costs an allocation and garbage per call; a write
 * per frame costs a system call per call. Staging buffers come from a pool shared by every
 * connection of the process and go back to it once the socket has written them, so the
 * steady state allocates nothing and an idle connection holds no buffer at all.
 *
 * When the staged bytes leave is the owner's choice (`OutboundFlush`): at the end of the
 * tick, or at the end of the event loop's turn. A client whose calls are started from
 * separate I/O callbacks (a gateway: one per HTTP request) writes once per turn with the
 * latter instead of once per call; a system call per call was a third of such a gateway's
 * CPU.
 *
 * Every byte accepted and not yet handed to the kernel is counted (`queued`), and each
 * change is told to the owner's `onQueued`, which is how a server bounds what a peer that
 * does not read can make it hold.
 */
import type { Socket } from "node:net";

/** Staging buffer size; a frame larger than this is written on its own. */
const STAGING_BYTES = 64 * 1024;
/** Staging buffers kept for reuse across all connections (2 MiB). */
const SPARE_BUFFERS = 32;
const spare: Uint8Array[] = [];
const EMPTY = new Uint8Array(0);

function takeStaging(): Uint8Array {
  return spare.pop() ?? new Uint8Array(STAGING_BYTES);
}

function giveStaging(buffer: Uint8Array): void {
  if (spare.length < SPARE_BUFFERS) spare.push(buffer);
}

type WriteCallback = (error: Error | null | undefined) => void;

/**
 * When staged frames are handed to the socket: `"tick"` once the current callback's
 * microtasks have run (`process.nextTick`): frames written in one burst leave together;
 * `"turn"` once the event loop has run every I/O callback that was ready (`setImmediate`):
 * frames written from many callbacks of one turn leave together, at the cost of waiting
 * for those callbacks.
 */
export type OutboundFlush = "tick" | "turn";

export class Outbound {
  private staging: Uint8Array | undefined;
  private used = 0;
  private scheduled = false;
  /** Bytes accepted and not yet handed to the kernel: staged, or held by the socket. */
  private queuedBytes = 0;
  /** Told when the staged bytes have been written (or failed to be). */
  private written: WriteCallback[] = [];
  private readonly flushNow = () => this.flush();
  private readonly perTurn: boolean;

  /**
   * @param onQueued told of each change of `queued` (positive: bytes accepted; negative:
   *   bytes the kernel took, or dropped because the socket failed).
   * @param flushOn when staged frames leave (default `"tick"`).
   */
  constructor(private readonly socket: Socket, private readonly onQueued: (delta: number) => void = () => {}, flushOn: OutboundFlush = "tick") {
    this.perTurn = flushOn === "turn";
  }

  /** Bytes accepted but not yet handed to the kernel. */
  get queued(): number {
    return this.queuedBytes;
  }

  /**
   * Queues a copy of `frame`, which may be a view into engine memory: it is copied before
   * this returns, so the caller may reuse the memory at once. Sent at the end of the tick
   * or turn (see `OutboundFlush`), or at once when the staging buffer is full;
   * `onWritten` is told when the socket has written it, or failed to.
   */
  write(frame: Uint8Array, onWritten?: WriteCallback): void {
    this.count(frame.length);
    if (frame.length > STAGING_BYTES - this.used) {
      this.flush();
      if (frame.length > STAGING_BYTES) {
        this.send(frame.slice(), undefined, onWritten ? [onWritten] : []);
        return;
      }
    }
    const staging = (this.staging ??= takeStaging());
    staging.set(frame, this.used);
    this.used += frame.length;
    if (onWritten) this.written.push(onWritten);
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.perTurn) setImmediate(this.flushNow);
      else process.nextTick(this.flushNow);
    }
  }

  /** Calls `callback` once everything written so far has left for the kernel (or failed to). */
  whenWritten(callback: () => void): void {
    if (this.used > 0) {
      this.written.push(callback);
      this.flush();
    } else if (this.socket.writableLength === 0 || this.socket.destroyed) {
      queueMicrotask(callback);
    } else {
      this.socket.write(EMPTY, callback); // its callback comes after those of the writes before it
    }
  }

  /** Hands what is staged to the socket now. */
  flush(): void {
    this.scheduled = false;
    if (this.used === 0) return;
    const full = this.staging!;
    const bytes = full.subarray(0, this.used);
    const written = this.written;
    this.staging = undefined;
    this.used = 0;
    this.written = [];
    this.send(bytes, full, written);
  }

  /** Writes `bytes`; once written, `staging` (the buffer they are a view of) goes back to the pool. */
  private send(bytes: Uint8Array, staging: Uint8Array | undefined, written: WriteCallback[]): void {
    if (this.socket.destroyed) {
      this.count(-bytes.length);
      if (staging) giveStaging(staging);
      for (const w of written) w(new Error("the connection is closed"));
      return;
    }
    this.socket.write(bytes, (error) => {
      this.count(-bytes.length);
      if (staging) giveStaging(staging);
      for (const w of written) w(error);
    });
  }

  private count(delta: number): void {
    this.queuedBytes += delta;
    this.onQueued(delta);
  }
}
