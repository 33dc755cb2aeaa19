/**
 * A ring of frames in a SharedArrayBuffer: the shared-memory transport's one direction
 * (kitewire's ShmIPC), between threads of one process (Node worker threads, Deno
 * workers, cross-origin-isolated browser workers). Runtime-agnostic.
 *
 * - Fixed-size slots, claimed by any number of producers and read in order by one
 *   consumer (a bounded queue after D. Vyukov: each slot's sequence number says whether it
 *   is free for position p (= p), filled (= p + 1) or not yet freed).
 * - A frame larger than a slot's inline room goes to a block pool of the same buffer (a
 *   contiguous run of blocks claimed bit by bit in a bitmap, all or nothing); the slot says
 *   where. The consumer copies it out and frees both.
 * - Copies keep the source's alignment (a frame lands at the same address mod 8 as it sat in
 *   the writer's memory, and is read out to the same mod 8 in a plain buffer): V8 copies to
 *   and from shared memory word by word only when both sides agree mod 8, byte by byte
 *   otherwise (measured: 1 KiB in ~0.12 µs against ~0.65 µs). The reader's copy is to a
 *   plain (unshared) buffer, so what the consumer does with it next is a plain memcpy.
 * - Wake-ups only when the consumer is idle: it flags itself idle, looks again, and only
 *   then waits (`Atomics.waitAsync`); a producer looks at the flag once per task (after
 *   the frames it wrote in it) and notifies only if it is set, so a busy consumer drains
 *   frames in batches without a notification per frame (as ShmIPC's event queue does).
 *   Producers waiting for room are woken the same way.
 * - Before it flags itself idle, a consumer may look for frames on each turn of its event
 *   loop for a few microseconds (`spinMicros`, default 0): a wake-up costs ~10 µs of CPU
 *   between the two threads (the notification, the waiter's event loop waking, a promise),
 *   so a consumer that finds the next frames within that time saves it, and its producers
 *   skip the notification; one that does not has burnt the time. It pays with a core to
 *   spare per spinning thread; on a machine with more busy threads than cores it takes CPU
 *   from the threads that would write the frames. The event loop keeps turning meanwhile.
 * - Full (no slot, or no run of blocks): `tryWrite` says so, `write` waits for room up to
 *   the caller's deadline. Nothing is dropped, nothing grows: the memory is the buffer's.
 * - A frame larger than the whole pool can never fit: LENGTH_LIMIT, before anything is
 *   written.
 */
import { ErrorCode, KitewireError } from "../../errors.js";

/** Sizes of a ring (all rounded as `createRing` says). */
export interface RingOptions {
  /** Slots (frames in the ring at once), a power of two; default 256. */
  slots: number;
  /** Bytes per slot, header included, a multiple of 8; default 2048 (2032 inline). */
  slotBytes: number;
  /** Bytes of the block pool for frames larger than a slot; default 4 MiB. 0: no spill (larger frames are refused). */
  spillBytes: number;
  /** Bytes per pool block, a multiple of 8; default 16 KiB. */
  blockBytes: number;
}

export const DEFAULT_RING_OPTIONS: Readonly<RingOptions> = Object.freeze({ slots: 256, slotBytes: 2048, spillBytes: 4 << 20, blockBytes: 16 << 10 });

// Control words (Int32 indices).
const TAIL = 0; // next position a producer claims
const DATA = 1; // bumped (and notified) by a producer that finds the consumer idle
const IDLE = 2; // 1 while the consumer waits for data
const SPACE = 3; // bumped (and notified) by the consumer when it frees room and producers wait
const WAITERS = 4; // producers waiting for room
const CLOSED = 5;
const SLOTS = 6;
const SLOT_BYTES = 7;
const BLOCKS = 8;
const BLOCK_BYTES = 9;
const CONTROL_WORDS = 16;
/** Slot header: kind, tag, length, where (first spill block, -1 inline, times 8, plus the frame's offset mod 8). */
const SLOT_HEADER = 16;

/** Calls `read` is given: one frame, `bytes` a view (of unshared memory) valid only during the call. */
export type FrameHandler = (kind: number, tag: number, bytes: Uint8Array) => void;

/** Makes the shared memory of a ring (post it to the other thread; both sides `new Ring(buffer)`). */
export function createRing(options: Partial<RingOptions> = {}): SharedArrayBuffer {
  const o = { ...DEFAULT_RING_OPTIONS, ...options };
  if (!Number.isInteger(o.slots) || o.slots < 2 || (o.slots & (o.slots - 1)) !== 0) throw invalid(`slots must be a power of two >= 2 (got ${o.slots})`);
  if (!Number.isInteger(o.slotBytes) || o.slotBytes < SLOT_HEADER + 8 || o.slotBytes % 8 !== 0) throw invalid(`slotBytes must be a multiple of 8 >= 24 (got ${o.slotBytes})`);
  if (!Number.isInteger(o.blockBytes) || o.blockBytes < 8 || o.blockBytes % 8 !== 0) throw invalid(`blockBytes must be a multiple of 8 (got ${o.blockBytes})`);
  if (!Number.isInteger(o.spillBytes) || o.spillBytes < 0) throw invalid(`spillBytes must be >= 0 (got ${o.spillBytes})`);
  const blocks = Math.ceil(o.spillBytes / o.blockBytes);
  const layout = layoutOf(o.slots, o.slotBytes, blocks, o.blockBytes);
  const buffer = new SharedArrayBuffer(layout.total);
  const i32 = new Int32Array(buffer);
  i32[SLOTS] = o.slots;
  i32[SLOT_BYTES] = o.slotBytes;
  i32[BLOCKS] = blocks;
  i32[BLOCK_BYTES] = o.blockBytes;
  for (let i = 0; i < o.slots; i++) i32[(layout.seqs >> 2) + i] = i;
  return buffer;
}

function layoutOf(slots: number, slotBytes: number, blocks: number, blockBytes: number) {
  const seqs = CONTROL_WORDS * 4;
  const data = seqs + slots * 4 + 7 & ~7;
  const bitmap = data + slots * slotBytes;
  const pool = bitmap + Math.ceil(blocks / 32) * 4 + 7 & ~7;
  return { seqs, data, bitmap, pool, total: pool + blocks * blockBytes };
}

function invalid(message: string): KitewireError {
  return new KitewireError(ErrorCode.INVALID_VALUE, `ring: ${message}`);
}

type WaitAsync = (i32: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: unknown };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Resolves once `i32[index]` is not `value` (or was notified), or after `timeoutMs`. */
function waitFor(i32: Int32Array, index: number, value: number, timeoutMs: number): Promise<unknown> {
  if (waitAsync !== undefined) {
    const r = waitAsync(i32, index, value, timeoutMs);
    return r.async ? r.value as Promise<unknown> : Promise.resolve(r.value);
  }
  // No Atomics.waitAsync (older Firefox): poll.
  return new Promise((resolve) => {
    const started = Date.now();
    const poll = () => (Atomics.load(i32, index) !== value || Date.now() - started >= timeoutMs ? resolve(undefined) : setTimeout(poll, 1));
    setTimeout(poll, 1);
  });
}

const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
/** Calls `f` once the I/O callbacks of this turn of the event loop have run (a microtask where there is no setImmediate). */
const afterIo: (f: () => void) => void = immediate !== undefined ? (f) => void immediate(f) : queueMicrotask;

/** Resolves on a later turn of the event loop (timers and I/O run first). */
export function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate !== undefined ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** One side's handle on a ring's shared memory. */
export class Ring {
  readonly buffer: SharedArrayBuffer;
  /** The largest frame that can ever be written (inline room, or the whole pool). */
  readonly maxFrameBytes: number;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  private readonly mask: number;
  private readonly slotBytes: number;
  private readonly blocks: number;
  private readonly blockBytes: number;
  private readonly seqs: number;
  private readonly data: number;
  private readonly bitmap: number;
  private readonly pool: number;
  /** The consumer's next position (only the consumer reads frames). */
  private head = 0;
  /** Where the next block search starts (a hint; any producer may search anywhere). */
  private blockHint = 0;
  /** Where the consumer copies an inline frame out to (unshared, so later copies are plain memcpy). */
  private readonly stage: Uint8Array;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
    const slots = this.i32[SLOTS]!;
    this.mask = slots - 1;
    this.slotBytes = this.i32[SLOT_BYTES]!;
    this.blocks = this.i32[BLOCKS]!;
    this.blockBytes = this.i32[BLOCK_BYTES]!;
    const layout = layoutOf(slots, this.slotBytes, this.blocks, this.blockBytes);
    this.seqs = layout.seqs >> 2;
    this.data = layout.data;
    this.bitmap = layout.bitmap >> 2;
    this.pool = layout.pool;
    this.maxFrameBytes = Math.max(this.slotBytes - SLOT_HEADER, this.blocks * this.blockBytes);
    this.stage = new Uint8Array(this.slotBytes);
  }

  get closed(): boolean {
    return Atomics.load(this.i32, CLOSED) !== 0;
  }

  /**
   * Writes a frame if there is room now: `kind` and `tag` are the caller's (a message type,
   * a call id), `bytes` are copied into the ring before this returns. Returns false when
   * the ring is full; throws LENGTH_LIMIT for a frame that can never fit, CONNECTION once closed.
   * An idle consumer is woken once the I/O callbacks of this turn have run (the frames
   * they write cost one wake-up), or at once with `wakeNow` (a writer that wrote its
   * turn's frames as one batch).
   */
  tryWrite(kind: number, tag: number, bytes: Uint8Array, wakeNow = false): boolean {
    const length = bytes.length;
    if (this.closed) throw new KitewireError(ErrorCode.CONNECTION, "ring closed");
    // The frame's offset mod 8 where it is (0 when that no longer fits): kept in the ring, see above.
    let pad = bytes.byteOffset & 7;
    let first = -1;
    let count = 0;
    if (length + pad > this.slotBytes - SLOT_HEADER) {
      if (length <= this.slotBytes - SLOT_HEADER) {
        pad = 0;
      } else {
        if (length > this.blocks * this.blockBytes) {
          throw new KitewireError(ErrorCode.LENGTH_LIMIT, `frame of ${length} bytes exceeds the ring's ${this.maxFrameBytes}-byte limit`);
        }
        if (length + pad > this.blocks * this.blockBytes) pad = 0;
        count = Math.ceil((length + pad) / this.blockBytes);
        first = this.claimBlocks(count);
        if (first < 0) return false;
      }
    }
    const i32 = this.i32;
    let pos = Atomics.load(i32, TAIL);
    for (;;) {
      const seq = Atomics.load(i32, this.seqs + (pos & this.mask));
      const dif = (seq - pos) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(i32, TAIL, pos, (pos + 1) | 0);
        if (seen === pos) break;
        pos = seen;
      } else if (dif < 0) {
        if (first >= 0) this.freeBlocks(first, count);
        return false;
      } else {
        pos = Atomics.load(i32, TAIL);
      }
    }
    const at = this.data + (pos & this.mask) * this.slotBytes;
    const w = at >> 2;
    i32[w] = kind;
    i32[w + 1] = tag;
    i32[w + 2] = length;
    i32[w + 3] = (first << 3) | pad;
    this.u8.set(bytes, (first < 0 ? at + SLOT_HEADER : this.pool + first * this.blockBytes) + pad);
    Atomics.store(i32, this.seqs + (pos & this.mask), (pos + 1) | 0);
    // The consumer, if idle, is woken once at the end of this task: frames written in one
    // burst (the frames of one socket read) cost one notification (a system call), not one each.
    if (wakeNow) {
      this.wake();
    } else if (!this.wakeScheduled) {
      this.wakeScheduled = true;
      afterIo(this.wake);
    }
    return true;
  }

  private wakeScheduled = false;
  private readonly wake = (): void => {
    this.wakeScheduled = false;
    const i32 = this.i32;
    if (Atomics.load(i32, IDLE) !== 0 && Atomics.exchange(i32, IDLE, 0) !== 0) {
      Atomics.add(i32, DATA, 1);
      Atomics.notify(i32, DATA);
    }
  };

  /**
   * Writes a frame, waiting while the ring is full: rejects with TIMEOUT once `deadline`
   * (ms since the epoch) passes first, CONNECTION if the ring closes. The frame is copied
   * before this returns only when there is room at once: otherwise the caller must keep
   * `bytes` unchanged until the promise settles.
   */
  async write(kind: number, tag: number, bytes: Uint8Array, deadline?: number): Promise<void> {
    const i32 = this.i32;
    for (;;) {
      const signal = Atomics.load(i32, SPACE);
      Atomics.add(i32, WAITERS, 1);
      let written: boolean;
      try {
        written = this.tryWrite(kind, tag, bytes);
      } catch (error) {
        Atomics.sub(i32, WAITERS, 1);
        throw error;
      }
      if (written) {
        Atomics.sub(i32, WAITERS, 1);
        return;
      }
      const left = deadline === undefined ? 1_000 : Math.min(1_000, deadline - Date.now());
      if (left <= 0) {
        Atomics.sub(i32, WAITERS, 1);
        throw new KitewireError(ErrorCode.TIMEOUT, "the ring stayed full past the deadline");
      }
      await waitFor(i32, SPACE, signal, left);
      Atomics.sub(i32, WAITERS, 1);
    }
  }

  /**
   * Reads the frames there are now, in order, handing each to `handler` (its bytes are a
   * copy, valid only during the call: the next frame reuses its memory), freeing each one's
   * room before the handler runs. Returns how many were read. Only one thread may read a ring.
   */
  read(handler: FrameHandler, max = Infinity): number {
    const i32 = this.i32;
    let n = 0;
    try {
      while (n < max) {
        const pos = this.head;
        const index = this.seqs + (pos & this.mask);
        if (Atomics.load(i32, index) !== ((pos + 1) | 0)) break;
        const at = this.data + (pos & this.mask) * this.slotBytes;
        const w = at >> 2;
        const kind = i32[w]!;
        const tag = i32[w + 1]!;
        const length = i32[w + 2]!;
        const where = i32[w + 3]!;
        const first = where >> 3;
        const pad = where & 7;
        const start = (first < 0 ? at + SLOT_HEADER : this.pool + first * this.blockBytes) + pad;
        // Out to the same offset mod 8 (see above); a spilled frame to a larger buffer, kept for
        // the next ones (bounded by maxFrameBytes): batches spill every time.
        const stage = pad + length <= this.stage.length ? this.stage : this.spillStage(pad + length);
        stage.set(this.u8.subarray(start, start + length), pad);
        this.head = (pos + 1) | 0;
        n++;
        if (first >= 0) this.freeBlocks(first, Math.ceil((length + pad) / this.blockBytes));
        Atomics.store(i32, index, (pos + this.mask + 1) | 0);
        handler(kind, tag, stage.subarray(pad, pad + length));
      }
    } finally {
      if (n > 0 && Atomics.load(i32, WAITERS) > 0) {
        Atomics.add(i32, SPACE, 1);
        Atomics.notify(i32, SPACE);
      }
    }
    return n;
  }

  private spilled: Uint8Array | undefined;
  private spillStage(bytes: number): Uint8Array {
    if (this.spilled === undefined || this.spilled.length < bytes) this.spilled = new Uint8Array(Math.max(bytes, Math.min(2 * (this.spilled?.length ?? 0), this.maxFrameBytes + 8)));
    return this.spilled;
  }

  /** Whether a frame is ready to read. */
  get readable(): boolean {
    return Atomics.load(this.i32, this.seqs + (this.head & this.mask)) === ((this.head + 1) | 0);
  }

  /**
   * Resolves once a frame may be ready to read, or the ring closed (the consumer's idle
   * wait: producers notify only while it is flagged idle). Looks on each turn of the event
   * loop for `spinMicros` first (see above).
   */
  async ready(spinMicros = 0): Promise<void> {
    const i32 = this.i32;
    if (spinMicros > 0) {
      const until = performance.now() + spinMicros / 1000;
      while (!this.readable && !this.closed && performance.now() < until) await nextTurn();
    }
    for (;;) {
      const signal = Atomics.load(i32, DATA);
      Atomics.store(i32, IDLE, 1);
      if (this.readable || this.closed) {
        Atomics.store(i32, IDLE, 0);
        return;
      }
      await waitFor(i32, DATA, signal, Infinity); // no timer: a producer that finds the flag set always notifies
      if (this.readable || this.closed) {
        Atomics.store(i32, IDLE, 0);
        return;
      }
    }
  }

  /**
   * Reads every frame as it comes until the ring closes (after reading what was left), in
   * batches of at most `batch` frames between turns of the event loop, looking for frames
   * `spinMicros` before each idle wait (`ready`).
   */
  async consume(handler: FrameHandler, batch = 256, spinMicros = 0): Promise<void> {
    for (;;) {
      while (this.read(handler, batch) === batch) await nextTurn();
      if (this.closed && !this.readable) return;
      await this.ready(spinMicros);
    }
  }

  /** Closes the ring: writes fail, the consumer's `consume` ends once it has read what is there. */
  close(): void {
    Atomics.store(this.i32, CLOSED, 1);
    Atomics.add(this.i32, DATA, 1);
    Atomics.notify(this.i32, DATA);
    Atomics.add(this.i32, SPACE, 1);
    Atomics.notify(this.i32, SPACE);
  }

  /** Claims `count` contiguous free blocks; the first one's index, or -1 if there is no such run now. */
  private claimBlocks(count: number): number {
    const i32 = this.i32;
    const blocks = this.blocks;
    for (let tried = 0, start = this.blockHint % blocks; tried < blocks;) {
      if (start + count > blocks) {
        tried += blocks - start;
        start = 0;
        continue;
      }
      let claimed = 0;
      while (claimed < count) {
        const b = start + claimed;
        const bit = 1 << (b & 31);
        if ((Atomics.or(i32, this.bitmap + (b >> 5), bit) & bit) !== 0) break;
        claimed++;
      }
      if (claimed === count) {
        this.blockHint = start + count;
        return start;
      }
      this.freeBlocks(start, claimed);
      tried += claimed + 1;
      start += claimed + 1;
    }
    return -1;
  }

  private freeBlocks(first: number, count: number): void {
    for (let b = first; b < first + count; b++) Atomics.and(this.i32, this.bitmap + (b >> 5), ~(1 << (b & 31)));
  }
}
