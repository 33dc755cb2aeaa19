/**
 * The gateway's JSON path on the engine transcoder, against the map-generic JS path it
 * replaced: a gateway (in this process, called as a fetch handler) in front of a kitewire
 * server over a real socket that echoes every golden struct type back. For random values
 * of each type, both upstream protocols: the Connect JSON reply is the JS path's text, the
 * binary reply (application/thrift) is the JS path's bytes, the request took the engine
 * (a TranscodedStruct reached the upstream client) and the reply was kept as bytes. For
 * malformed bodies, the error is the JS path's (JSON path, expected type).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createGateway, decodeThrift, encodeThrift, init, listen, loadIdl, nodeTransport, parseGenericJson, registerGeneric, Server,
  thriftStructFromJson, thriftStructToJson, type Gateway, type Listener, type Middleware, type ThriftIdl,
  type ThriftProtocol, type Transport,
} from "kitewire";
import { thriftValueToJson } from "../../src/generic/thrift/json.js";
import { TranscodedStruct } from "../../src/generic/transcode/calls.js";
import { ResultBytes } from "../../src/gateway/thrift-method.js";
import { GOLDEN, Random, randomStruct, readFile } from "../generic/support.js";

const ECHO = `${GOLDEN}thrift/gateway-echo.thrift`;
const TYPES = ["example.User", "example.Address", "example.Contact", "bench.Large", "bench.Small", "typedefs.Everything", "modern.Session"];
const ECHO_TEXT = `include "example.thrift"
include "bench.thrift"
include "typedefs.thrift"
include "modern.thrift"
service Echo {
${TYPES.map((t, i) => `  ${t} echo${i}(1: ${t} v)`).join("\n")}
  string scalars(1: i64 big, 2: binary blob, 3: double d, 4: list<example.Status> statuses)
}
`;
const MAX_DEPTH = 8;

let idl: ThriftIdl;
let listener: Listener;

beforeAll(async () => {
  await init();
  idl = loadIdl([ECHO], { readFile: (p) => (p === ECHO ? ECHO_TEXT : readFile(p)) }) as ThriftIdl;
  const server = new Server({});
  registerGeneric(server, {
    idl, service: "Echo", kind: "map",
    handle: (method, args) => {
      const a = args as Record<string, unknown>;
      return method === "scalars" ? `${String(a["big"])}|${(a["blob"] as Uint8Array).length}|${String(a["d"])}` : a["v"];
    },
  });
  listener = await listen(server, { host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await listener.close({ timeoutMs: 1000 });
});

describe.each<Transport>([
  { framing: "ttheader", protocol: "binary" }, { framing: "framed", protocol: "compact" },
])("gateway JSON on the engine, upstream $framing $protocol", (transport) => {
  let gateway: Gateway;
  const sent: unknown[] = [];
  const got: unknown[] = [];
  beforeAll(() => {
    const record: Middleware = (next) => async (ctx, args) => {
      sent.push(Object.values(args as object)[0]);
      const result = await next(ctx, args);
      got.push(result);
      return result;
    };
    gateway = createGateway({
      idl, maxJsonDepth: MAX_DEPTH,
      upstreams: {
        Echo: {
          transport, middlewares: [record],
          connection: nodeTransport({ address: { host: "127.0.0.1", port: (listener as unknown as { port: number }).port }, transport }),
        },
      },
    });
  });
  afterAll(() => gateway.close());

  const post = (method: string, body: string | Uint8Array, type = "application/json") =>
    gateway(new Request(`http://gw/Echo/${method}`, { method: "POST", headers: { "content-type": type }, body }));

  test("random values of every golden struct: the JS path's JSON text and binary bytes, the engine both ways", async () => {
    const rng = new Random(21);
    const methods = idl.services.get("Echo")!.methods;
    for (let i = 0; i < TYPES.length; i++) {
      const m = methods.get(`echo${i}`)!;
      const s = m.argsStruct;
      for (let n = 0; n < 12; n++) {
        const args = { v: randomStruct(rng, (m.params[0]!.type as { struct: typeof s }).struct) };
        const body = JSON.stringify(thriftStructToJson(s, args));
        // The JS path: the arguments it reads, their bytes, and the reply text it writes.
        const jsArgs = thriftStructFromJson(s, parseGenericJson(body), { maxDepth: MAX_DEPTH });
        const echoed = decodeThrift(s.codec, encodeThrift(s.codec, jsArgs, "binary"), "binary") as { v: unknown };
        const jsText = JSON.stringify(thriftValueToJson(m.result!, echoed.v));
        sent.length = got.length = 0;
        const r = await post(`echo${i}`, body);
        expect(r.status, `${TYPES[i]} ${body}`).toBe(200);
        expect(await r.text()).toBe(jsText);
        expect(sent[0]).toBeInstanceOf(TranscodedStruct);
        expect((sent[0] as TranscodedStruct).bytes).toEqual(encodeThrift(s.codec, jsArgs, transport.protocol as ThriftProtocol));
        expect(got[0]).toBeInstanceOf(ResultBytes);
        const binary = await post(`echo${i}`, encodeThrift(s.codec, jsArgs, "binary"), "application/thrift");
        expect(binary.status).toBe(200);
        expect(new Uint8Array(await binary.arrayBuffer())).toEqual(encodeThrift(m.resultStruct.codec, { success: echoed.v }, "binary"));
      }
    }
  });

  test("scalars: i64 beyond 2^53 as a string or number, binary as base64, enums by name, a double", async () => {
    const r = await post("scalars", '{"big": "9007199254740993", "blob": "AAEC/w==", "d": 0.1, "statuses": ["ACTIVE", 2]}');
    expect(await r.text()).toBe('"9007199254740993|4|0.1"');
    expect(sent.at(-1)).toBeInstanceOf(TranscodedStruct);
  });

  test("malformed bodies: the JS path's error (JSON path, expected type), as invalid_argument", async () => {
    const m = idl.services.get("Echo")!.methods;
    const cases: [string, string][] = [
      ["echo0", '{"v": {"id": "x"}}'],
      ["echo0", '{"v": {"id": 1, "nope": 2}}'],
      ["echo3", '{"v": {"inner": {"a": 1.5}}}'],
      ["echo3", '{"v": {"numbers": [1, true]}}'],
      ["echo3", '{"v": {"payload": "not base64!"}}'],
      ["echo3", '{"v": {"flags": 300}}'],
      ["scalars", '{"big": 1e400}'],
      ["scalars", '{"statuses": ["NOPE"]}'],
      ["echo0", '{"v": {"id": 1,}}'],
      ["echo0", `{"v": ${"[".repeat(3)}`],
      ["echo2", '{"v": {"email": "a", "phone": "b"}}'],
    ];
    for (const [method, body] of cases) {
      let expected = "";
      try {
        thriftStructFromJson(m.get(method)!.argsStruct, parseGenericJson(body), { maxDepth: MAX_DEPTH });
      } catch (error) {
        expected = (error as Error).message;
      }
      expect(expected, body).not.toBe("");
      const r = await post(method, body);
      expect(r.status, body).toBe(400);
      expect(await r.json(), body).toMatchObject({ code: "invalid_argument", message: expected });
    }
    const bad = await post("echo0", new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
    expect(await bad.json()).toMatchObject({ code: "invalid_argument", message: "the JSON body is not valid UTF-8" });
  });
});
