import { blockAlloc, blockCapacity, blockRelease, blockRetain, blockRefs, liveBlockCount } from "../memory/blocks";

describe("block allocator", () => {
  it("rounds sizes up to a power of two of at least 32 bytes", () => {
    const a = blockAlloc(1);
    expect<usize>(blockCapacity(a)).toBe(32);
    const b = blockAlloc(33);
    expect<usize>(blockCapacity(b)).toBe(64);
    const c = blockAlloc(4096);
    expect<usize>(blockCapacity(c)).toBe(4096);
    blockRelease(a);
    blockRelease(b);
    blockRelease(c);
  });

  it("reuses released blocks of the same class", () => {
    const a = blockAlloc(100);
    blockRelease(a);
    const b = blockAlloc(120);
    expect<usize>(b).toBe(a);
    blockRelease(b);
  });

  it("frees a shared block only when its last owner releases it", () => {
    const live = liveBlockCount();
    const a = blockAlloc(64);
    blockRetain(a);
    expect<u32>(blockRefs(a)).toBe(2);
    blockRelease(a);
    expect<u32>(liveBlockCount()).toBe(live + 1);
    blockRelease(a);
    expect<u32>(liveBlockCount()).toBe(live);
    blockRelease(a); // a double release is ignored
    expect<u32>(liveBlockCount()).toBe(live);
  });

  it("keeps payloads 8-byte aligned and disjoint", () => {
    const a = blockAlloc(40);
    const b = blockAlloc(40);
    expect<usize>(a & 7).toBe(0);
    expect<bool>(b >= a + 64 || a >= b + 64).toBe(true);
    blockRelease(a);
    blockRelease(b);
  });

  it("returns 0 instead of trapping for impossible sizes", () => {
    expect<usize>(blockAlloc(<usize>1 << 31)).toBe(0);
  });
});
