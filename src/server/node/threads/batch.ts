/**
 * Many messages in one ring message, so that the socket thread and a server thread pay
 * the ring's per-message work (claiming a slot, its atomics, the reader's copy out, a
 * wake-up) once per batch instead of once per call: the socket thread gathers the
 * frames of a turn of its event loop for each server thread (every socket read of that
 * turn), a server thread the replies it made while serving one batch.
 *
 * A batch is a run of records, each `kind, tag, length, 0` (four little-endian i32) and
 * the message's bytes, padded to 8 so that every record starts 8-aligned (copies in and
 * out of shared memory keep that alignment, net/shm/ring.ts says why it matters). It is
 * sent as one ring message of kind BATCH whose tag is its count of records. Records are
 * in the order they were added: a connection's OPEN before its calls, its CLOSE after.
 */

/** The ring message kind of a batch (both directions; no single message uses it). */
export const BATCH = -1;
/** Bytes of a record's header. */
export const RECORD_HEADER = 16;

/** A batch being gathered, in a buffer of its own reused from one batch to the next. */
export class BatchWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private used = 0;
  /** Records in the batch. */
  count = 0;

  /** `capacity`: the largest batch in bytes (a multiple of 8). */
  constructor(readonly capacity: number) {
    this.buffer = new Uint8Array(capacity);
    this.view = new DataView(this.buffer.buffer);
  }

  /** Whether a message of `length` bytes fits in the batch now. */
  fits(length: number): boolean {
    return this.used + RECORD_HEADER + length <= this.capacity;
  }

  /** Whether a message of `length` bytes can be in a batch at all (otherwise it goes on its own). */
  accepts(length: number): boolean {
    return RECORD_HEADER + length <= this.capacity;
  }

  /** Adds a message (its bytes copied); the caller checked that it `fits`. */
  add(kind: number, tag: number, bytes: Uint8Array): void {
    const at = this.used;
    const view = this.view;
    view.setInt32(at, kind, true);
    view.setInt32(at + 4, tag, true);
    view.setInt32(at + 8, bytes.length, true);
    view.setInt32(at + 12, 0, true);
    this.buffer.set(bytes, at + RECORD_HEADER);
    this.used = (at + RECORD_HEADER + bytes.length + 7) & ~7;
    this.count++;
  }

  /** The batch's bytes: a view valid until `clear` or the next `add`. */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.used);
  }

  /** Empties the batch (its bytes were copied, or handed on with `detach`). */
  clear(): void {
    this.used = 0;
    this.count = 0;
  }

  /** Gives away the batch's buffer (to wait for room in a ring) and takes a fresh one; empties the batch. */
  detach(): Uint8Array {
    const bytes = this.bytes();
    this.buffer = new Uint8Array(this.capacity);
    this.view = new DataView(this.buffer.buffer);
    this.clear();
    return bytes;
  }
}

/** Calls `handler` for each record of a batch's bytes (`count` records), in order; `bytes` of each are a view into `batch`. */
export function forEachRecord(batch: Uint8Array, count: number, handler: (kind: number, tag: number, bytes: Uint8Array) => void): void {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + RECORD_HEADER > batch.length) throw new RangeError(`a batch of ${batch.length} bytes ends inside record ${n} of ${count}`);
    const kind = view.getInt32(at, true);
    const tag = view.getInt32(at + 4, true);
    const length = view.getInt32(at + 8, true);
    const start = at + RECORD_HEADER;
    if (length < 0 || start + length > batch.length) throw new RangeError(`record ${n} of a batch claims ${length} bytes at ${start} of ${batch.length}`);
    handler(kind, tag, batch.subarray(start, start + length));
    at = (start + length + 7) & ~7;
  }
}
