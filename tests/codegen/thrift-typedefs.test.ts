/**
 * Generated code for typedefs (tests/golden/thrift/typedefs.thrift) at run time: constants
 * hold the values the IDL gives, defaults naming constants are copies, every typedef'd
 * shape round-trips in both protocols and through a real server and client.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createClient, decodeThrift, encodeThrift, init, listen, nodeTransport, Server, type Listener, type ThriftProtocol,
} from "kitewire";
import * as td from "../golden/thrift/gen/typedefs.js";

beforeAll(async () => {
  await init();
});

const protocols: ThriftProtocol[] = ["binary", "compact"];
const point = (x = 0, y = 0) => ({ x, y });

test("constants of typedef'd types hold the IDL's values", () => {
  expect(td.NAMES).toEqual(["a", "b"]);
  expect(Object.isFrozen(td.NAMES)).toBe(true);
  expect(td.MORE_NAMES).toEqual(["c"]);
  expect(td.LIST_OF_NAMES).toEqual([["d"], []]);
  expect(td.NAME_LISTS).toEqual([["e", "f"]]);
  expect(td.POINTS).toEqual([point(1, 2), point(-3, 0)]);
  expect(td.MORE_POINTS).toEqual([point(0, 4)]);
  expect(td.PT_LIST).toEqual([point(5, 0)]);
  expect(td.ORIGIN).toEqual(point());
  expect(td.UNIT).toEqual(point(1, 1));
  expect(td.HUE).toBe(2);
  expect(td.SHADE).toBe(1);
  expect(td.HUES).toEqual(new Set([1, 2]));
  expect(td.SHADES).toEqual(new Set([2]));
  expect(td.BY_ID).toEqual(new Map([[7n, [point(7, 0)]], [-1n, []]]));
  expect(td.BY_ALIAS).toEqual(new Map([["o", point()]]));
  expect(td.NESTED).toEqual(new Map([["k", [["v"]]]]));
  expect(td.NAME).toBe("n");
  expect(td.ID).toBe(9007199254740993n);
  expect(td.BLOB).toEqual(new Uint8Array([1]));
  expect(td.SHAPE).toEqual({ case: "path", value: [point(1, 0)] });
  expect(td.FAILURE).toBeInstanceOf(td.Failure);
  expect(td.FAILURE.message).toBe("no"); // a typedef of string is the Error's own message
  expect(td.FAILURE.code).toBe(3n);
  expect(td.ENVS).toEqual([{ Open: true, Env: "prod" }]);
  expect(td.BASE).toMatchObject({ LogID: "l", Caller: "" });
  expect(td.ENV_BY_NAME).toEqual(new Map([["p", { Open: false, Env: "prod" }]]));
  expect(td.LABELS).toEqual(new Set(["x"]));
  expect(td.WORDS).toEqual(["w"]);
  expect(td.Pt).toBe(td.Point);
  expect(td.Shade).toBe(td.Color);
  expect(td.FailureAlias).toBe(td.Failure);
});

test("a default naming a constant is a fresh copy each struct may change", () => {
  const a = td.Everything.create({ name: "a" });
  const b = td.Everything.create({ name: "b" });
  expect(a.names).toEqual(["a", "b"]);
  expect(a.names).not.toBe(td.NAMES);
  a.names.push("c"); // would throw on the frozen constant
  expect(b.names).toEqual(["a", "b"]);
  expect(td.NAMES).toEqual(["a", "b"]);
  expect(a.pt).toEqual(point());
  a.pt!.x = 9;
  expect(td.ORIGIN.x).toBe(0);
  expect(b.pt).toEqual(point());
});

/** An Everything whose every field comes from a constant or a typedef'd value. */
function everything(): td.Everything {
  return td.Everything.create({
    names: [...td.NAMES],
    moreNames: [...td.MORE_NAMES],
    nameLists: td.NAME_LISTS.map((l) => [...l]),
    points: [...td.POINTS],
    morePoints: [...td.MORE_POINTS],
    pt: td.ORIGIN,
    pt2: td.UNIT,
    shade: td.SHADE,
    hues: new Set(td.HUES),
    byId: new Map(td.BY_ID),
    aliasById: new Map([[-5n, "minus five"]]),
    ids: new Set([td.ID, -1n]),
    nested: new Map(td.NESTED),
    shape: { case: "label", value: "l" },
    blob: td.BLOB,
    id: td.ID,
    name: td.NAME,
    pts: [...td.PT_LIST],
    envs: [...td.ENVS],
    envByName: new Map(td.ENV_BY_NAME),
    base: td.BASE,
    labels: new Set(td.LABELS),
  });
}

describe.each(protocols)("%s", (protocol) => {
  test("every typedef'd field round-trips", () => {
    const value = everything();
    expect(decodeThrift(td.Everything, encodeThrift(td.Everything, value, protocol), protocol)).toEqual(value);
    const defaults = td.Everything.create({ name: "" });
    expect(decodeThrift(td.Everything, encodeThrift(td.Everything, defaults, protocol), protocol)).toEqual(defaults);
  });

  test("typedef'd unions and exceptions round-trip", () => {
    for (const shape of [td.SHAPE, { case: "point", value: td.UNIT }, { case: "label", value: "x" }] as td.Shape[]) {
      expect(decodeThrift(td.ShapeAlias, encodeThrift(td.ShapeAlias, shape, protocol), protocol)).toEqual(shape);
    }
    const failure = decodeThrift(td.FailureAlias, encodeThrift(td.FailureAlias, td.FAILURE, protocol), protocol);
    expect(failure).toBeInstanceOf(td.Failure);
    expect([failure.message, failure.code]).toEqual(["no", 3n]);
  });
});

describe("typedef'd parameters, results and exceptions over a real connection", () => {
  let listener: Listener;
  const handler: td.TypedefsHandler = {
    transform(points, offset, hues) {
      if (hues.size === 0) throw new td.FailureAlias({ message: "no hues", code: 7n });
      return points.map((p) => ({ x: p.x + (offset?.x ?? 0), y: p.y + (offset?.y ?? 0) }));
    },
    nested: (nested, byId) => new Map([...nested, ["ids", [[...byId.keys()].map(String)]]]),
    envs: (byName, words) => words.map((w) => byName.get(w) ?? td.ENVS[0]!),
    shape: (shape) => (shape.case === "path" ? { case: "point", value: shape.value[0]! } : shape),
    names: (names, aliases, blobs) => [...names, ...aliases, ...[...blobs].map(([k, v]) => `${k}:${v.length}`)],
  };
  const client = () => {
    const transport = { framing: "ttheader-framed", protocol: "compact" } as const;
    return createClient<td.TypedefsClient>(td.Typedefs, {
      transport, connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport }),
    });
  };

  beforeAll(async () => {
    listener = await listen(new Server().register(td.Typedefs, handler), { host: "127.0.0.1", port: 0 });
  });
  afterAll(() => listener.close({ timeoutMs: 1000 }));

  test("each method answers with the typedef'd values", async () => {
    const c = client();
    try {
      expect(await c.transform([...td.POINTS], td.UNIT, new Set(td.HUES))).toEqual([point(2, 3), point(-2, 1)]);
      const failure = await c.transform([], undefined as unknown as td.Pt2, new Set()).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(td.Failure);
      expect(failure).toMatchObject({ message: "no hues", code: 7n });
      expect(await c.nested(new Map(td.NESTED), new Map(td.BY_ID))).toEqual(new Map([["k", [["v"]]], ["ids", [["7", "-1"]]]]));
      expect(await c.envs(new Map(td.ENV_BY_NAME), ["p", "q"])).toEqual([{ Open: false, Env: "prod" }, { Open: true, Env: "prod" }]);
      expect(await c.shape(td.SHAPE)).toEqual({ case: "point", value: point(1, 0) });
      expect(await c.names(["n"], new Set(["a"]), new Map([[td.Color.GREEN, new Uint8Array(3)]]))).toEqual(["n", "a", "2:3"]);
    } finally {
      await c.close();
    }
  });
});
