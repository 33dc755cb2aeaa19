/**
 * A seeded random source for property and fuzz tests: the same seed gives the same
 * values, so a failure reproduces from the seed printed with it.
 */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** A uniform u32 (mulberry32). */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor((this.u32() / 4294967296) * (max - min + 1));
  }

  bool(): boolean {
    return (this.u32() & 1) === 1;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** A signed integer of `bits` bits, biased towards edge values and short varints. */
  signed(bits: 8 | 16 | 32): number {
    const max = 2 ** (bits - 1) - 1;
    const min = -(2 ** (bits - 1));
    switch (this.int(0, 5)) {
      case 0: return this.pick([0, 1, -1, max, min]);
      case 1: return this.int(-64, 63);
      case 2: return this.int(Math.max(min, -8192), Math.min(max, 8191));
      default: return this.int(min, max);
    }
  }

  /** A u32, biased towards varint size boundaries. */
  unsigned32(): number {
    switch (this.int(0, 4)) {
      case 0: return this.pick([0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1]);
      case 1: return this.int(0, 127);
      default: return this.u32();
    }
  }

  /** A signed 64-bit bigint, biased towards edges and each varint length. */
  int64(): bigint {
    switch (this.int(0, 4)) {
      case 0: return this.pick([0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), 2n ** 53n, -(2n ** 53n)]);
      case 1: return BigInt(this.signed(32));
      default: {
        const shift = BigInt(this.int(0, 63));
        const v = ((BigInt(this.u32()) << 32n) | BigInt(this.u32())) >> shift;
        return BigInt.asIntN(64, this.bool() ? -v : v);
      }
    }
  }

  /** An unsigned 64-bit bigint. */
  uint64(): bigint {
    return BigInt.asUintN(64, this.int64());
  }

  /** A double, including the awkward ones (but not NaN, whose payload peers may canonicalise). */
  double(): number {
    switch (this.int(0, 4)) {
      case 0: return this.pick([0, -0, 1, -1, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53]);
      case 1: return this.int(-1e6, 1e6);
      default: {
        const v = new Float64Array(new Uint32Array([this.u32(), this.u32()]).buffer)[0]!;
        return Number.isNaN(v) ? 0.5 : v;
      }
    }
  }

  bytes(max: number): Uint8Array {
    const out = new Uint8Array(this.int(0, max));
    for (let i = 0; i < out.length; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  /** A string mixing ASCII, 2-, 3- and 4-byte UTF-8 (valid UTF-16: no lone surrogates). */
  string(max: number): string {
    const n = this.int(0, max);
    const kind = this.int(0, 3);
    let s = "";
    for (let i = 0; i < n; i++) {
      const k = kind === 0 ? 0 : this.int(0, 3);
      if (k === 0) s += String.fromCharCode(this.int(0x20, 0x7e));
      else if (k === 1) s += String.fromCharCode(this.int(0x80, 0x7ff));
      else if (k === 2) s += String.fromCharCode(this.pick([this.int(0x800, 0xd7ff), this.int(0xe000, 0xffff)]));
      else s += String.fromCodePoint(this.int(0x10000, 0x10ffff));
    }
    return s;
  }
}

/** Seeds for a property run: fixed ones, plus one from KITEWIRE_SEED if set. */
export function seeds(count: number): number[] {
  const base = Number(process.env.KITEWIRE_SEED ?? 0x5eed);
  return Array.from({ length: count }, (_, i) => (base + i * 7919) >>> 0);
}
