/**
 * The calls of one multiplexing connection that wait for their reply frames, by seqid, each
 * with its deadline timer and abort listener: what every such connection keeps (Node
 * sockets, web-stream sockets, shared-memory rings), in one place.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Frame } from "../remote/frame-decoder.js";
import { PendingCalls } from "./pending-calls.js";
import { DeadlineTimer } from "../rpc/deadline-timer.js";

/** One call waiting for its reply. */
class PendingReply {
  resolve!: (frame: Frame) => void;
  reject!: (error: unknown) => void;
  timer: DeadlineTimer | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(readonly signal: AbortSignal | undefined) {}

  /** Stops its deadline timer and abort listener. */
  dispose(): void {
    this.timer?.cancel();
    if (this.onAbort !== undefined) this.signal!.removeEventListener("abort", this.onAbort);
  }
}

export class PendingReplies {
  private readonly calls = new PendingCalls<PendingReply>();

  /** `onGiveUp` runs when a call is failed (by its deadline, its signal or `fail`), before it is rejected. */
  constructor(private readonly onGiveUp?: () => void) {}

  /** Calls waiting. */
  get size(): number {
    return this.calls.size;
  }

  /**
   * The reply to `seqid`, which fails TIMEOUT at `deadline` and CANCELLED when `signal`
   * aborts; null if a call with that seqid already waits (the request must not be sent:
   * answer it with `seqidInFlight`).
   */
  expect(seqid: number, deadline: number | undefined, signal: AbortSignal | undefined): Promise<Frame> | null {
    if (this.calls.get(seqid) !== undefined) return null;
    const waiting = new PendingReply(signal);
    const reply = new Promise<Frame>((resolve, reject) => {
      waiting.resolve = resolve;
      waiting.reject = reject;
    });
    this.calls.add(seqid, waiting);
    if (deadline !== undefined) {
      waiting.timer = new DeadlineTimer(deadline, () => this.fail(seqid, new KitewireError(ErrorCode.TIMEOUT, "no reply within the deadline", { stack: false })));
    }
    if (signal !== undefined) {
      waiting.onAbort = () => this.fail(seqid, new KitewireError(ErrorCode.CANCELLED, "call cancelled", { cause: signal.reason }));
      signal.addEventListener("abort", waiting.onAbort, { once: true });
    }
    return reply;
  }

  /** Answers the call waiting for `seqid` with `frame`; false when none waits (a late reply: the caller releases it). */
  settle(seqid: number, frame: Frame): boolean {
    const waiting = this.calls.take(seqid);
    if (waiting === undefined) return false;
    waiting.dispose();
    waiting.resolve(frame);
    return true;
  }

  /** Fails the call waiting for `seqid`, if any. */
  fail(seqid: number, error: unknown): void {
    const waiting = this.calls.take(seqid);
    if (waiting === undefined) return;
    waiting.dispose();
    this.onGiveUp?.();
    waiting.reject(error);
  }

  /** Fails every call waiting. */
  failAll(error: unknown): void {
    for (const seqid of this.calls.seqidList()) this.fail(seqid, error);
  }
}

/** The answer to a request whose seqid a waiting call already has. */
export function seqidInFlight(seqid: number): Promise<never> {
  return Promise.reject(new KitewireError(ErrorCode.INVALID_STATE, `seqid ${seqid} is already in flight`));
}
