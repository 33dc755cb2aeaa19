/**
 * The gateway's behaviour, as an HTTP client sees it: registered as vitest tests against a
 * gateway at `baseUrl()` (in this process, or in workerd or Deno), whose upstream is
 * fixtures/upstream.mjs and whose DownService points at a closed port. HTTP-mapped routes,
 * Connect unary (JSON, binary, GET), gRPC-web (binary, text), errors and their statuses,
 * the body limit and upstream down.
 */
import { beforeAll, expect, test } from "vitest";
import { decodeGeneric, encodeGeneric, init, loadIdl, type Idl } from "kitewire";
import { readFileSync } from "node:fs";
import { SEARCH_THRIFT, TEST_MAX_BODY } from "./support.js";

let idl: Idl;
beforeAll(async () => {
  await init();
  idl = loadIdl([SEARCH_THRIFT], { readFile: (p) => readFileSync(p, "utf8") });
});

const json = (r: Response): Promise<Record<string, unknown>> => r.json() as Promise<Record<string, unknown>>;

/** gRPC-web frames of a body: [flags, payload]. */
function frames(body: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let at = 0; at < body.length;) {
    const len = new DataView(body.buffer, body.byteOffset + at + 1, 4).getUint32(0);
    out.push([body[at]!, body.subarray(at + 5, at + 5 + len)]);
    at += 5 + len;
  }
  return out;
}

function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, 5);
  return out;
}

function trailers(f: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of new TextDecoder().decode(f).split("\r\n")) {
    const c = line.indexOf(":");
    if (c > 0) out[line.slice(0, c).trim().toLowerCase()] = decodeURIComponent(line.slice(c + 1).trim());
  }
  return out;
}

/** Registers the cases; `label` prefixes their names (the runtime the gateway runs in). */
export function gatewayCases(label: string, baseUrl: () => string): void {
  const url = (path: string) => baseUrl() + path;
  const connect = (method: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url(`/SearchService/${method}`), { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  test(`${label}: HTTP GET route binds query, repeated query and header; reply header from an api.header field`, async () => {
    const r = await fetch(url("/search?q=kite&limit=2&tag=a&tag=b"), { headers: { "x-token": "t1" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-total")).toBe("1002");
    expect(await json(r)).toEqual({ hits: [{ title: "kite #0 for t1 [a,b]", score: 100 }, { title: "kite #1 for t1 [a,b]", score: 99 }] });
  });

  test(`${label}: HTTP POST route (api.post on the method, api.query on a field)`, async () => {
    const r = await fetch(url("/search?q=wire&limit=1"), { method: "POST" });
    expect(r.status).toBe(200);
    expect(await json(r)).toEqual({ hits: [{ title: "wire #0", score: 100 }] });
  });

  test(`${label}: HTTP path variable, JSON body with api.body renaming, reply status and header from annotations, DELETE answering 204`, async () => {
    const got = await fetch(url("/users/1"));
    expect(got.status).toBe(200);
    expect(await json(got)).toEqual({ id: 1, name: "ada", email: "ada@example.com" });
    const made = await fetch(url("/users"), { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"bob","mail":"bob@example.com"}' });
    expect(made.status).toBe(201); // (api.http_code) on the reply
    const bob = (await json(made))["user"] as Record<string, unknown>;
    expect(made.headers.get("location")).toBe(`/users/${String(bob["id"])}`); // (api.header) on the reply
    expect(bob).toMatchObject({ name: "bob", email: "bob@example.com" });
    const del = await fetch(url(`/users/${String(bob["id"])}`), { method: "DELETE" });
    expect(del.status).toBe(204);
    expect((await fetch(url(`/users/${String(bob["id"])}`))).status).toBe(500);
  });

  test(`${label}: HTTP errors: declared exception 500 with its JSON, bad path variable 400, missing required 400, 405, 404`, async () => {
    const missing = await fetch(url("/users/99"));
    expect(missing.status).toBe(500);
    expect(await json(missing)).toMatchObject({ code: "unknown", exception: "NotFound", value: { message: "no user 99", id: 99 } });
    const bad = await fetch(url("/users/abc"));
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ code: "invalid_argument", message: expect.stringContaining('path variable "id"') });
    const noQ = await fetch(url("/search"));
    expect(noQ.status).toBe(400);
    expect(await json(noQ)).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("q") });
    const put = await fetch(url("/search?q=x"), { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toMatch(/GET/);
    expect((await fetch(url("/nothing/here"))).status).toBe(404);
  });

  test(`${label}: Connect unary JSON (i64 beyond 2^53 as a string, binary as base64)`, async () => {
    const r = await connect("echo", '{"text":"hi","blob":"AAEC","big":"9007199254740993"}', { "connect-protocol-version": "1" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(await r.json()).toBe("hi|3|9007199254740993");
    const ping = await connect("ping", "{}");
    expect(ping.status).toBe(200);
    expect(await ping.json()).toBe(null);
  });

  test(`${label}: Connect unary binary (application/thrift: the args struct in, the result struct out)`, async () => {
    const body = encodeGeneric(idl, "SearchService$search$args", { req: { q: "bin", limit: 1 } });
    const r = await fetch(url("/SearchService/search"), { method: "POST", headers: { "content-type": "application/thrift" }, body });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/thrift");
    const result = decodeGeneric(idl, "SearchService$search$result", new Uint8Array(await r.arrayBuffer())) as { success: unknown };
    expect(result.success).toEqual({ hits: [{ title: "bin #0", score: 100n }], total: 1001 });
  });

  test(`${label}: Connect GET (message in the query, JSON and base64 binary)`, async () => {
    const r = await fetch(url(`/SearchService/echo?connect=v1&encoding=json&message=${encodeURIComponent('{"text":"get"}')}`));
    expect(r.status).toBe(200);
    expect(await r.json()).toBe("get|0|0");
    const bin = encodeGeneric(idl, "SearchService$echo$args", { text: "b64" });
    const b64 = btoa(String.fromCharCode(...bin)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const r2 = await fetch(url(`/SearchService/echo?encoding=thrift&base64=1&message=${b64}`));
    expect(r2.status).toBe(200);
    expect((decodeGeneric(idl, "SearchService$echo$result", new Uint8Array(await r2.arrayBuffer())) as { success: unknown }).success).toBe("b64|0|0");
  });

  test(`${label}: Connect errors: declared exception in details, unknown method, bad JSON, bad version, media type`, async () => {
    const r = await connect("getUser", '{"req":{"id":99}}');
    expect(r.status).toBe(500);
    const e = await json(r);
    expect(e).toMatchObject({ code: "unknown", message: expect.stringContaining("NotFound") });
    const [detail] = e["details"] as { type: string; value: string; debug: unknown }[];
    expect(detail!.type).toBe("NotFound");
    expect(detail!.debug).toEqual({ message: "no user 99", id: 99 });
    const padded = detail!.value + "=".repeat((4 - (detail!.value.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    expect(decodeGeneric(idl, "NotFound", bytes)).toMatchObject({ message: "no user 99", id: 99n });

    const unknown = await connect("nope", "{}");
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ code: "unimplemented" });
    const badJson = await connect("echo", '{"text":');
    expect(badJson.status).toBe(400);
    expect(await json(badJson)).toMatchObject({ code: "invalid_argument" });
    const badField = await connect("echo", '{"txt":"x"}');
    expect(badField.status).toBe(400);
    expect(await json(badField)).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("txt") });
    const version = await connect("echo", "{}", { "connect-protocol-version": "2" });
    expect(version.status).toBe(400);
    expect(await json(version)).toMatchObject({ code: "invalid_argument" });
    const media = await fetch(url("/SearchService/echo"), { method: "POST", headers: { "content-type": "application/xml" }, body: "<x/>" });
    expect(media.status).toBe(415);
  });

  test(`${label}: Connect deadline: connect-timeout-ms reaches the server in TTHeader, and expires as deadline_exceeded 504`, async () => {
    const ok = await connect("slow", '{"ms":0}', { "connect-timeout-ms": "5000" });
    expect(ok.status).toBe(200);
    const left = Number(await ok.json());
    expect(left).toBeGreaterThan(3000);
    expect(left).toBeLessThanOrEqual(5000);
    const late = await connect("slow", '{"ms":2000}', { "connect-timeout-ms": "200" });
    expect(late.status).toBe(504);
    expect(await json(late)).toMatchObject({ code: "deadline_exceeded" });
    const bad = await connect("slow", '{"ms":0}', { "connect-timeout-ms": "soon" });
    expect(bad.status).toBe(400);
  });

  test(`${label}: gRPC-web binary and text, errors in the trailers frame`, async () => {
    const args = encodeGeneric(idl, "SearchService$echo$args", { text: "web", blob: new Uint8Array(5) });
    const r = await fetch(url("/SearchService/echo"), { method: "POST", headers: { "content-type": "application/grpc-web+thrift" }, body: frame(args) });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/grpc-web+thrift");
    const [data, trailer] = frames(new Uint8Array(await r.arrayBuffer()));
    expect(data![0]).toBe(0);
    expect((decodeGeneric(idl, "SearchService$echo$result", data![1]) as { success: unknown }).success).toBe("web|5|0");
    expect(trailer![0]).toBe(0x80);
    expect(trailers(trailer![1])).toMatchObject({ "grpc-status": "0" });

    const text = await fetch(url("/SearchService/echo"), {
      method: "POST", headers: { "content-type": "application/grpc-web-text+thrift" }, body: btoa(String.fromCharCode(...frame(args))),
    });
    expect(text.status).toBe(200);
    const decoded = Uint8Array.from(atob(await text.text()), (c) => c.charCodeAt(0));
    expect((decodeGeneric(idl, "SearchService$echo$result", frames(decoded)[0]![1]) as { success: unknown }).success).toBe("web|5|0");

    const failed = await fetch(url("/SearchService/getUser"), {
      method: "POST", headers: { "content-type": "application/grpc-web+json" }, body: frame(new TextEncoder().encode('{"req":{"id":99}}')),
    });
    expect(failed.status).toBe(200);
    const only = frames(new Uint8Array(await failed.arrayBuffer()));
    expect(only).toHaveLength(1);
    expect(trailers(only[0]![1])).toMatchObject({ "grpc-status": "2", "grpc-message": expect.stringContaining("no user 99") });
  });

  test(`${label}: body over the limit gets 413 (Content-Length or not)`, async () => {
    const big = JSON.stringify({ text: "x".repeat(TEST_MAX_BODY + 10) });
    const r = await connect("echo", big);
    expect(r.status).toBe(413);
    expect(await json(r)).toMatchObject({ code: "resource_exhausted" });
    const small = await connect("echo", '{"text":"fine"}');
    expect(small.status).toBe(200);
  });

  test(`${label}: upstream down is 503 with a JSON body naming it (HTTP route and Connect)`, async () => {
    const r = await fetch(url("/down?name=x"));
    expect(r.status).toBe(503);
    const body = await json(r);
    expect(body).toMatchObject({ code: "unavailable", kitewireCode: "CONNECTION" });
    expect(String(body["message"])).toMatch(/upstream unavailable/);
    const c = await fetch(url("/DownService/hello"), { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"x"}' });
    expect(c.status).toBe(503);
    expect(await json(c)).toMatchObject({ code: "unavailable" });
  });

  test(`${label}: CORS: preflight answered 204, replies marked for the origin with grpc-status exposed`, async () => {
    const pre = await fetch(url("/SearchService/echo"), {
      method: "OPTIONS", headers: { origin: "http://app.test", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("http://app.test");
    const r = await connect("echo", '{"text":"o"}', { origin: "http://app.test" });
    expect(r.headers.get("access-control-allow-origin")).toBe("http://app.test");
    expect(r.headers.get("access-control-expose-headers")).toMatch(/grpc-status/);
  });

  test(`${label}: Connect compression: a gzip body inflates; an encoding not supported is unimplemented`, async () => {
    const gz = new Uint8Array(await new Response(new Blob(['{"text":"zipped"}']).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    const r = await fetch(url("/SearchService/echo"), { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: gz });
    expect(r.status).toBe(200);
    expect(await r.json()).toBe("zipped|0|0");
    const br = await fetch(url("/SearchService/echo"), { method: "POST", headers: { "content-type": "application/json", "content-encoding": "br" }, body: "x" });
    expect(br.status).toBe(501);
    expect(br.headers.get("content-type")).toBe("application/json");
    expect(await json(br)).toMatchObject({ code: "unimplemented" });
    const notGzip = await fetch(url("/SearchService/echo"), { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: "{}" });
    expect(notGzip.status).toBe(400);
  });
}

/**
 * Registers the cancellation case for a gateway in another process whose fixture answers
 * `GET /__outcomes` with its failed upstream calls: an HTTP client that goes away while
 * `slow` runs upstream has that call cancelled (CANCELLED), well before its 3 s. With
 * `viaFixture`, the fixture's `GET /__go-away` is the client that goes away (workerd).
 */
export function cancellationCase(label: string, baseUrl: () => string, viaFixture = false): void {
  test(`${label}: an HTTP client going away cancels the upstream call`, async () => {
    if (viaFixture) {
      const r = await fetch(`${baseUrl()}/__go-away`);
      expect(await r.text()).toBe("went away");
    } else {
      const controller = new AbortController();
      const call = fetch(`${baseUrl()}/SearchService/slow`, {
        method: "POST", headers: { "content-type": "application/json" }, body: '{"ms":3000}', signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 300);
      await expect(call).rejects.toThrow();
    }
    const started = Date.now();
    let outcomes: string[] = [];
    while (Date.now() - started < 2_000) {
      outcomes = await (await fetch(`${baseUrl()}/__outcomes`)).json() as string[];
      if (outcomes.includes("slow:CANCELLED")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(outcomes, JSON.stringify(outcomes)).toContain("slow:CANCELLED");
  });
}
