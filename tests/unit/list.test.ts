/** Lists decoders fill by index: pre-sized up to a limit, growing past it, equal either way. */
import { expect, test } from "vitest";
import { decodeThrift, encodeThrift, init, newList } from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";

test("newList filled in order holds exactly what was stored, below and above the pre-sized limit", () => {
  for (const n of [0, 1, 7, 65536, 65537, 100_001]) {
    const list = newList<number>(n);
    for (let i = 0; i < n; i++) list[i] = i * 3;
    expect(list.length).toBe(n);
    expect(list.every((v, i) => v === i * 3)).toBe(true);
  }
});

test("generated Thrift lists of every size decode to the values written, in both protocols", async () => {
  await init();
  for (const n of [0, 3, 65536, 70_000]) {
    const tags = Array.from({ length: n }, (_, i) => `t${i % 97}`);
    const matrix = [Array.from({ length: n }, (_, i) => i - 5), []];
    const user = ex.User.create({ name: "list", tags, matrix });
    for (const protocol of ["binary", "compact"] as const) {
      const back = decodeThrift(ex.User, encodeThrift(ex.User, user, protocol), protocol);
      expect(back.tags).toEqual(tags);
      expect(back.matrix).toEqual(matrix);
    }
  }
});
