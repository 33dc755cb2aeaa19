/**
 * Calls waiting for their replies, by seqid: an open-addressing table (linear probing,
 * deletion by backward shift) over two plain arrays, kept at most half full.
 *
 * Why not a Map: with one `set` and one `delete` per call, a Map's table is rebuilt as
 * entries churn, and the retired tables keep links to their successors; once one of them
 * is promoted, each minor GC keeps ~2 MB of finished calls alive (bench/README.md, RPC
 * finding 1), which made the client spend a fifth of its time in GC. Here a finished
 * call's slot is simply cleared.
 */
export class PendingCalls<T> {
  private seqids = new Int32Array(INITIAL_SLOTS);
  private calls: (T | undefined)[] = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  /** Calls in the table. */
  size = 0;

  /** The call waiting for `seqid`, if any. */
  get(seqid: number): T | undefined {
    const calls = this.calls;
    for (let i = seqid & this.mask; calls[i] !== undefined; i = (i + 1) & this.mask) {
      if (this.seqids[i] === seqid) return calls[i];
    }
    return undefined;
  }

  /** Adds `call` for `seqid`, which must not be in the table. */
  add(seqid: number, call: T): void {
    if ((this.size + 1) * 2 > this.calls.length) this.resize(this.calls.length * 2);
    let i = seqid & this.mask;
    while (this.calls[i] !== undefined) i = (i + 1) & this.mask;
    this.seqids[i] = seqid;
    this.calls[i] = call;
    this.size++;
  }

  /** Removes and returns the call waiting for `seqid`, if any. */
  take(seqid: number): T | undefined {
    const calls = this.calls;
    const seqids = this.seqids;
    const mask = this.mask;
    let hole = seqid & mask;
    while (calls[hole] !== undefined && seqids[hole] !== seqid) hole = (hole + 1) & mask;
    const call = calls[hole];
    if (call === undefined) return undefined;
    // Backward shift: move later entries of the same probe run into the hole, so lookups
    // never meet a gap before the entry they look for.
    for (let j = (hole + 1) & mask; calls[j] !== undefined; j = (j + 1) & mask) {
      const home = seqids[j]! & mask;
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (between) continue;
      calls[hole] = calls[j];
      seqids[hole] = seqids[j]!;
      hole = j;
    }
    calls[hole] = undefined;
    this.size--;
    return call;
  }

  /** The seqids in the table (a copy: the table may change while they are used). */
  seqidList(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.calls.length; i++) if (this.calls[i] !== undefined) out.push(this.seqids[i]!);
    return out;
  }

  private resize(slots: number): void {
    const { seqids, calls } = this;
    this.seqids = new Int32Array(slots);
    this.calls = new Array<T | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    this.size = 0;
    for (let i = 0; i < calls.length; i++) if (calls[i] !== undefined) this.add(seqids[i]!, calls[i]!);
  }
}

const INITIAL_SLOTS = 256;
