/**
 * The write side of a connection: frames written within one tick leave in one socket
 * write, each copied once, straight out of engine memory, into a staging buffer.
 *
 * Why not `socket.write(frame)` per frame: a frame must be copied out of engine memory
 * anyway (the arena is reused by the next message and memory may grow), and a copy per
 * frame into an ArrayBuffer of its own costs an allocation and garbage per call; a write
 * per frame costs a system call per call. Here two staging buffers take turns: one is
 * filled while the socket may still hold the other, so the steady state allocates nothing.
 */
import type { Socket } from "node:net";

/** Staging buffer size; a frame larger than this is written on its own. */
const STAGING_BYTES = 64 * 1024;
/** Staging buffers kept for reuse (one filling, the others possibly held by the socket). */
const SPARE_BUFFERS = 2;
const EMPTY = new Uint8Array(0);

export class Outbound {
  private staging: Uint8Array = new Uint8Array(STAGING_BYTES);
  private used = 0;
  private scheduled = false;
  private readonly spare: Uint8Array[] = [];
  /** Told when the staged bytes have been written (or failed to be). */
  private written: ((error: Error | null | undefined) => void)[] = [];
  private readonly flushNow = () => this.flush();

  /**
   * @param onFull called when a flush finds the socket's buffer over its high-water mark
   *   (the socket emits `drain` later), so the owner can stop producing.
   */
  constructor(private readonly socket: Socket, private readonly onFull: () => void = () => {}) {}

  /** Bytes accepted but not yet handed to the kernel. */
  get pendingBytes(): number {
    return this.used + this.socket.writableLength;
  }

  /**
   * Queues a copy of `frame`, which may be a view into engine memory: it is copied before
   * this returns, so the caller may reuse the memory at once. Sent at the end of the tick;
   * `onWritten` is told when the socket has written it, or failed to.
   */
  write(frame: Uint8Array, onWritten?: (error: Error | null | undefined) => void): void {
    if (this.used + frame.length > this.staging.length) {
      this.flush();
      if (frame.length > this.staging.length) {
        this.send(frame.slice(), undefined, onWritten ? [onWritten] : []);
        return;
      }
    }
    this.staging.set(frame, this.used);
    this.used += frame.length;
    if (onWritten) this.written.push(onWritten);
    if (!this.scheduled) {
      this.scheduled = true;
      // After the current microtasks: replies resolved in one burst go out together.
      process.nextTick(this.flushNow);
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
    const full = this.staging;
    const bytes = full.subarray(0, this.used);
    const written = this.written;
    this.staging = this.spare.pop() ?? new Uint8Array(STAGING_BYTES);
    this.used = 0;
    this.written = [];
    this.send(bytes, full, written);
  }

  /** Writes `bytes`; once written, `staging` (the buffer they are a view of) is free again. */
  private send(bytes: Uint8Array, staging: Uint8Array | undefined, written: ((error: Error | null | undefined) => void)[]): void {
    if (this.socket.destroyed) {
      for (const w of written) w(new Error("the connection is closed"));
      return;
    }
    const ok = this.socket.write(bytes, (error) => {
      if (staging && this.spare.length < SPARE_BUFFERS) this.spare.push(staging);
      for (const w of written) w(error);
    });
    if (!ok) this.onFull();
  }
}
