/**
 * Field order between Thrift writers. The wire format leaves it open: Apache Thrift's
 * Python generator writes a struct's fields in field-id order (it sorts them), while
 * kitewire, like the js:node generator, writes them in IDL order. The two differ only
 * for a struct that declares its fields out of id order: in example.thrift, User, whose
 * id-less `legacy` field is numbered -1 and declared last.
 *
 * `sortFields` turns one encoded struct into the encoding the same writer would produce
 * in field-id order, by parsing it (schema-less, from the protocol specs, independently
 * of kitewire's readers) and moving field chunks. Every struct whose fields already come
 * in ascending id order is left exactly as it is, byte for byte; only in a struct it has
 * to reorder does it write Compact field headers again (their deltas depend on the order),
 * by the rule of the Compact spec (short form for a delta of 1 to 15).
 */

type Proto = "binary" | "compact";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Field { id: number; header: Uint8Array; body: Uint8Array; ctype: number }

class Walker {
  pos = 0;
  private readonly dv: DataView;

  constructor(private readonly b: Uint8Array, private readonly compact: boolean) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  private take(n: number): Uint8Array {
    if (this.pos + n > this.b.length) throw new Error(`sortFields: truncated at ${this.pos}`);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private u8(): number {
    return this.take(1)[0]!;
  }

  private varint(): bigint {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const x = this.u8();
      v |= BigInt(x & 0x7f) << shift;
      if (x < 0x80) return v;
      if (shift > 63n) throw new Error("sortFields: varint too long");
    }
  }

  private i32(): number {
    const v = this.dv.getInt32(this.pos);
    this.take(4);
    return v;
  }

  /** One value of wire type `t` (Binary TType or Compact type nibble), re-emitted. */
  value(t: number): Uint8Array {
    const start = this.pos;
    if (!this.compact) {
      switch (t) {
        case 2: case 3: return this.take(1);
        case 6: return this.take(2);
        case 8: return this.take(4);
        case 4: case 10: return this.take(8);
        case 16: return this.take(16);
        case 11: { const n = this.i32(); this.take(n); return this.b.subarray(start, this.pos); }
        case 12: return this.struct();
        case 13: {
          const kt = this.u8();
          const vt = this.u8();
          const n = this.i32();
          const parts = [this.b.subarray(start, this.pos)];
          for (let i = 0; i < n; i++) parts.push(this.value(kt), this.value(vt));
          return concat(parts);
        }
        case 14: case 15: {
          const et = this.u8();
          const n = this.i32();
          const parts = [this.b.subarray(start, this.pos)];
          for (let i = 0; i < n; i++) parts.push(this.value(et));
          return concat(parts);
        }
      }
      throw new Error(`sortFields: binary type ${t} at ${start}`);
    }
    switch (t) {
      case 1: case 2: case 3: return this.take(1); // a bool element, a byte
      case 4: case 5: case 6: this.varint(); return this.b.subarray(start, this.pos);
      case 7: return this.take(8);
      case 8: { const n = Number(this.varint()); this.take(n); return this.b.subarray(start, this.pos); }
      case 13: return this.take(16);
      case 12: return this.struct();
      case 9: case 10: {
        const h = this.u8();
        const n = h >> 4 === 15 ? Number(this.varint()) : h >> 4;
        const parts = [this.b.subarray(start, this.pos)];
        for (let i = 0; i < n; i++) parts.push(this.value(h & 0x0f));
        return concat(parts);
      }
      case 11: {
        const n = Number(this.varint());
        const kv = n > 0 ? this.u8() : 0;
        const parts = [this.b.subarray(start, this.pos)];
        for (let i = 0; i < n; i++) parts.push(this.value(kv >> 4), this.value(kv & 0x0f));
        return concat(parts);
      }
    }
    throw new Error(`sortFields: compact type ${t} at ${start}`);
  }

  struct(): Uint8Array {
    const fields: Field[] = [];
    let last = 0;
    for (;;) {
      const start = this.pos;
      const h = this.u8();
      if (h === 0) break;
      let id: number;
      let ctype: number;
      if (this.compact) {
        ctype = h & 0x0f;
        if (h >> 4 !== 0) id = last + (h >> 4);
        else {
          const z = Number(this.varint());
          id = (z >>> 1) ^ -(z & 1);
        }
        last = id;
      } else {
        ctype = h;
        id = this.dv.getInt16(this.pos);
        this.take(2);
      }
      const header = this.b.subarray(start, this.pos);
      // A Compact bool field carries its value in the header's type nibble.
      const body = this.compact && (ctype === 1 || ctype === 2) ? new Uint8Array(0) : this.value(ctype);
      fields.push({ id, header, body, ctype });
    }
    const stop = new Uint8Array([0]);
    if (fields.every((fd, i) => i === 0 || fields[i - 1]!.id < fd.id)) {
      return concat([...fields.flatMap((fd) => [fd.header, fd.body]), stop]);
    }
    const sorted = [...fields].sort((a, b) => a.id - b.id);
    const parts: Uint8Array[] = [];
    last = 0;
    for (const fd of sorted) {
      if (!this.compact) parts.push(fd.header);
      else {
        const delta = fd.id - last;
        if (delta > 0 && delta <= 15) parts.push(new Uint8Array([(delta << 4) | fd.ctype]));
        else {
          const bytes = [fd.ctype];
          let z = ((fd.id << 1) ^ (fd.id >> 31)) >>> 0;
          while (z >= 0x80) {
            bytes.push((z & 0x7f) | 0x80);
            z >>>= 7;
          }
          bytes.push(z);
          parts.push(new Uint8Array(bytes));
        }
        last = fd.id;
      }
      parts.push(fd.body);
    }
    parts.push(stop);
    return concat(parts);
  }
}

/** `bytes` (one struct) with the fields of every struct in it in ascending field-id order. */
export function sortFields(bytes: Uint8Array, protocol: Proto): Uint8Array {
  const w = new Walker(bytes, protocol === "compact");
  const out = w.struct();
  if (w.pos !== bytes.length) throw new Error(`sortFields: ${bytes.length - w.pos} bytes after the struct`);
  return out;
}
