/** The engine's string table: whole list<string> decodes, against element-by-element reads. */
import { beforeAll, describe, expect, test } from "vitest";
import { init, ThriftBinaryReader, ThriftBinaryWriter, ThriftCompactReader, ThriftCompactWriter, TType } from "../../src/runtime/node/index.js";
import { Random } from "../support/random.js";

beforeAll(async () => {
  await init();
});

describe.each([
  ["binary", ThriftBinaryWriter, ThriftBinaryReader],
  ["compact", ThriftCompactWriter, ThriftCompactReader],
] as const)("%s", (_, W, R) => {
  test("readStringList equals readString per element (property)", () => {
    const rnd = new Random(0x57ab);
    const w = new W();
    for (let i = 0; i < 300; i++) {
      const list = Array.from({ length: rnd.pick([0, 1, 5, 20, 100]) }, () => rnd.string(rnd.pick([0, 8, 40, 700])));
      w.reset();
      w.writeListBegin(TType.STRING, list.length);
      for (const s of list) w.writeString(s);
      w.writeI32(99);
      const bytes = w.finish();
      const r = new R().load(bytes);
      expect(r.readStringList()).toEqual(list);
      expect(r.readI32()).toBe(99);
    }
  });

  test("invalid UTF-8 inside the list fails with its offset; lenient readers replace it", () => {
    const w = new W();
    w.writeListBegin(TType.STRING, 3);
    w.writeString("ok");
    w.writeString("xyz");
    w.writeString("fine");
    const bytes = w.finish();
    const at = bytes.indexOf(0x79); // the "y"
    bytes[at] = 0xff;
    expect(() => new R().load(bytes).readStringList()).toThrow(expect.objectContaining({ code: "INVALID_UTF8", offset: at }));
    expect(new R({ strictUtf8: false }).load(bytes).readStringList()).toEqual(["ok", "x\ufffdz", "fine"]);
  });

  test("truncated lists and lying lengths are typed errors", () => {
    const w = new W();
    w.writeListBegin(TType.STRING, 2);
    w.writeString("abc");
    w.writeString("defg");
    const bytes = w.finish();
    for (let n = 0; n < bytes.length; n++) {
      expect(() => new R().load(bytes.subarray(0, n)).readStringList(), `prefix ${n}`).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/TRUNCATED|LENGTH_LIMIT/) }),
      );
    }
    const wrongType = new W();
    wrongType.writeListBegin(TType.I32, 1);
    wrongType.writeI32(1);
    expect(() => new R().load(wrongType.finish()).readStringList()).toThrow(expect.objectContaining({ code: "UNKNOWN_TYPE" }));
  });
});
