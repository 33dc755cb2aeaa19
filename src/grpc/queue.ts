/**
 * The messages of a stream as an `AsyncIterable`, for handlers (client streaming, bidi) and
 * callers (server streaming, bidi). Bounded: past `highWater` queued messages the producer
 * is told to pause (the HTTP/2 adapter then stops reading the stream, so its flow-control
 * window closes and the peer stops sending), and to resume once the consumer has taken
 * them down to half. With `receiveTimeoutMs`, a consumer waiting that long for the next
 * message gets a TIMEOUT error instead of hanging on a silent peer.
 */
import { ErrorCode, KitewireError } from "../errors.js";

export interface MessageQueueOptions {
  /** Messages queued before `pause` is called. */
  highWater: number;
  /** Longest wait for one message, ms (0: no limit). */
  receiveTimeoutMs: number;
  pause(): void;
  resume(): void;
  /** Called when no message came within receiveTimeoutMs (the queue has failed with `reason`). */
  cancel(reason: KitewireError): void;
  /** Called when the consumer stops early (break, return, throw); what still arrives is dropped. */
  stopped(reason: KitewireError): void;
  /** Says what waited, for the timeout's message. */
  describe: string;
}

export class MessageQueue<T> implements AsyncIterable<T>, AsyncIterator<T> {
  private readonly items: T[] = [];
  private head = 0;
  private done = false;
  private failure: unknown;
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private paused = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private iterated = false;

  constructor(private readonly options: MessageQueueOptions) {}

  /** Adds a received message. */
  push(item: T): void {
    if (this.done) return;
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = undefined;
      clearTimeout(this.timer);
      w.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (!this.paused && this.items.length - this.head >= this.options.highWater) {
      this.paused = true;
      this.options.pause();
    }
  }

  /** The stream ended: the consumer sees the end after the queued messages. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.settleWaiting();
  }

  /** The stream failed: the consumer gets `error` after the queued messages. */
  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    this.settleWaiting();
  }

  private settleWaiting(): void {
    const w = this.waiting;
    if (w === undefined) return;
    this.waiting = undefined;
    clearTimeout(this.timer);
    if (this.failure !== undefined) w.reject(this.failure);
    else w.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new KitewireError(ErrorCode.INVALID_STATE, `${this.options.describe}: a stream can be iterated once`);
    this.iterated = true;
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head]!;
      this.items[this.head++] = undefined as T;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      if (this.paused && this.items.length - this.head <= this.options.highWater >> 1) {
        this.paused = false;
        this.options.resume();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return this.failure !== undefined ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
    if (this.paused) {
      this.paused = false;
      this.options.resume();
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      const ms = this.options.receiveTimeoutMs;
      if (ms > 0) {
        this.timer = setTimeout(() => {
          const error = new KitewireError(ErrorCode.TIMEOUT, `${this.options.describe}: no message received within ${ms} ms`);
          this.fail(error);
          this.options.cancel(error);
        }, ms);
      }
    });
  }

  /** The consumer stopped early: queued messages are dropped, and the producer told. */
  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      const error = new KitewireError(ErrorCode.CANCELLED, `${this.options.describe}: the consumer stopped reading`);
      this.done = true;
      this.items.length = 0;
      if (this.paused) {
        this.paused = false;
        this.options.resume();
      }
      this.options.stopped(error);
    }
    return Promise.resolve({ value: undefined, done: true });
  }
}
