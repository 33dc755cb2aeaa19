/**
 * Discovery through a real etcd (Debian's etcd 3.4, started here on free loopback ports
 * with a temporary data dir): echo servers in their own processes register with
 * etcdRegistry, clients resolve `etcd://.../echo` and balance over them. Everything
 * kitewire runs is the built bundle (dist/).
 *
 * Splits over 3,000 calls: WRR must match 1:2:3 exactly (a few calls of slack for where
 * the rotation stands); weighted random is a sample, so it is held to ±5 percentage points
 * of each share (a ±5% *relative* bound on the 1/6 share would fail one run in five by
 * chance alone: its standard deviation over 3,000 draws is 4% of it).
 */
import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Etcd3 } from "etcd3";
// @ts-expect-error: a plain ESM helper shared with the benchmark and the server processes
import { BUNDLE, ECHO_SERVER, freePort, generateEcho, startEtcd } from "./etcd/support.mjs";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Etcd = { endpoint: string; clientPort: number; peerPort: number; dataDir: string; stop(): Promise<void>; destroy(): Promise<void> };

let kw: any;
let echo: { dir: string; module: string };
let etcd: Etcd;
let etcdClient: Etcd3;
const servers: EchoServer[] = [];
const decoder = new TextDecoder();
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface EchoServer {
  name: string;
  port: number;
  proc: ChildProcess;
}

/** Forks an echo server process; resolves once it listens (and is registered, when given etcd). */
async function startServer(name: string, spec: Record<string, unknown> = {}): Promise<EchoServer> {
  const proc = fork(ECHO_SERVER, [JSON.stringify({ module: echo.module, name, etcd: etcd.endpoint, ...spec })], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once("message", (m: any) => resolve(m.port));
    proc.once("exit", (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
  const s = { name, port, proc };
  servers.push(s);
  return s;
}

/** A logger keeping its lines. */
function recordingLogger() {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: object) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function echoClient(options: Record<string, unknown> = {}) {
  return kw.createClient(echo.gen.Echo, {
    transport: { framing: "framed", protocol: "binary" }, target: `etcd://${etcd.endpoint}/echo`, logger: kw.silentLogger, timeoutMs: 3_000, ...options,
  });
}

/** `n` calls, `concurrency` at a time; counts answers by server name (and failures as "error"). */
async function callMany(client: any, n: number, concurrency = 20): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let next = 0;
  const payload = new Uint8Array(8);
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < n) {
      let who: string;
      try {
        who = decoder.decode(await client.echo(payload));
      } catch {
        who = "error";
      }
      counts.set(who, (counts.get(who) ?? 0) + 1);
    }
  }));
  return counts;
}

beforeAll(async () => {
  kw = await import(BUNDLE);
  await kw.init();
  echo = await generateEcho() as any;
  (echo as any).gen = await import(echo.module);
  etcd = await startEtcd();
  etcdClient = new Etcd3({ hosts: `http://${etcd.endpoint}` });
});

afterAll(async () => {
  for (const s of servers) s.proc.kill("SIGKILL");
  etcdClient?.close();
  await etcd?.destroy();
  if (echo) rmSync(echo.dir, { recursive: true, force: true });
});

describe("etcd discovery with server processes", () => {
  test("three servers register with weights 1/2/3; a kitewire registration is byte for byte registry-etcd's, under a 60 s lease", async () => {
    await startServer("s1", { weight: 1, tags: { idc: "a<b>" } });
    await startServer("s2", { weight: 2 });
    await startServer("s3", { weight: 3 });
    const kvs = await etcdClient.getAll().prefix("kitex/registry-etcd/echo/").exec();
    const byKey = new Map(kvs.kvs.map((kv) => [kv.key.toString(), kv]));
    const [s1, s2, s3] = servers;
    expect([...byKey.keys()].sort()).toEqual([s1, s2, s3].map((s) => `kitex/registry-etcd/echo/127.0.0.1:${s!.port}`).sort());
    // What Go's json.Marshal of registry-etcd's instanceInfo gives for the same registration:
    expect(byKey.get(`kitex/registry-etcd/echo/127.0.0.1:${s1!.port}`)!.value.toString())
      .toBe(`{"network":"tcp","address":"127.0.0.1:${s1!.port}","weight":1,"tags":{"idc":"a\\u003cb\\u003e"}}`);
    expect(byKey.get(`kitex/registry-etcd/echo/127.0.0.1:${s2!.port}`)!.value.toString())
      .toBe(`{"network":"tcp","address":"127.0.0.1:${s2!.port}","weight":2,"tags":null}`);
    const lease = byKey.get(`kitex/registry-etcd/echo/127.0.0.1:${s3!.port}`)!.lease;
    expect(lease).not.toBe("0");
    const ttl = await (etcdClient as any).leaseClient.leaseTimeToLive({ ID: lease });
    expect(Number(ttl.grantedTTL)).toBe(60);
    expect(Number(ttl.TTL)).toBeGreaterThan(50);
  });

  test("3,000 calls split 1:2:3 with WRR (exactly) and weighted random (±5 points)", async () => {
    const wrr = echoClient();
    const w = await callMany(wrr, 3_000);
    expect(w.get("error")).toBeUndefined();
    expect(Math.abs(w.get("s1")! - 500)).toBeLessThanOrEqual(3);
    expect(Math.abs(w.get("s2")! - 1000)).toBeLessThanOrEqual(3);
    expect(Math.abs(w.get("s3")! - 1500)).toBeLessThanOrEqual(3);
    await wrr.close();
    const random = echoClient({ loadBalancer: kw.weightedRandom() });
    const r = await callMany(random, 3_000);
    expect(r.get("error")).toBeUndefined();
    for (const [name, share] of [["s1", 1 / 6], ["s2", 2 / 6], ["s3", 3 / 6]] as const) {
      expect(Math.abs(r.get(name)! / 3_000 - share)).toBeLessThan(0.05);
    }
    await random.close();
  });

  test("a fourth server gets calls within one second of registering", async () => {
    const client = echoClient();
    await callMany(client, 100);
    let stop = false;
    let firstAt = 0;
    const payload = new Uint8Array(8);
    const loop = (async () => {
      while (!stop) {
        const who = decoder.decode(await client.echo(payload));
        if (who === "s4" && firstAt === 0) firstAt = Date.now();
      }
    })();
    const s4 = startServer("s4", { weight: 3 });
    await s4;
    const registeredAt = Date.now();
    while (firstAt === 0 && Date.now() - registeredAt < 3_000) await wait(10);
    stop = true;
    await loop;
    await client.close();
    expect(firstAt).toBeGreaterThan(0);
    expect(firstAt - registeredAt).toBeLessThan(1_000);
  });

  test("a server killed with SIGKILL stops getting calls: only calls made before its refusal was known fail", async () => {
    const client = echoClient();
    await callMany(client, 200);
    const victim = servers.find((s) => s.name === "s2")!;
    victim.proc.kill("SIGKILL");
    await new Promise((r) => victim.proc.once("exit", r));
    // Its lease lives on for up to 60 s: the key stays, the client has to notice by itself.
    const first = await callMany(client, 500);
    expect(first.get("s2")).toBeUndefined();
    expect(first.get("error") ?? 0).toBeLessThanOrEqual(20); // at most the calls sent before the first refusal came back
    const later = await callMany(client, 1_000);
    expect(later.get("error")).toBeUndefined();
    expect(later.get("s2")).toBeUndefined();
    await client.close();
  });

  test("an entry written by hand in registry-etcd's format (a Go Kitex server's) is found; a malformed one is skipped and logged once", async () => {
    const go = await startServer("go", { etcd: undefined }); // listens, registers nowhere
    const logger = recordingLogger();
    const client = echoClient({ logger });
    await callMany(client, 50);
    // Exactly what registry-etcd's Register puts for weight 0 (read as 10) and no tags:
    await etcdClient.put(`kitex/registry-etcd/echo/127.0.0.1:${go.port}`).value(`{"network":"tcp","address":"127.0.0.1:${go.port}","weight":0,"tags":null}`);
    await etcdClient.put("kitex/registry-etcd/echo/broken").value("{not json");
    await etcdClient.put("kitex/registry-etcd/echo2/127.0.0.1:1").value(`{"network":"tcp","address":"127.0.0.1:1","weight":10,"tags":null}`);
    await wait(300);
    const counts = await callMany(client, 600);
    expect(counts.get("go")).toBeGreaterThan(0);
    expect(counts.get("error")).toBeUndefined(); // echo2's instance was never called
    await etcdClient.put("kitex/registry-etcd/echo/broken").value("{not json");
    await etcdClient.delete().key(`kitex/registry-etcd/echo/127.0.0.1:${go.port}`);
    await wait(300);
    expect((await callMany(client, 200)).get("go")).toBeUndefined();
    const skipped = logger.lines.filter((l) => l.includes("etcd registry value skipped"));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toContain('"key":"kitex/registry-etcd/echo/broken"');
    await etcdClient.delete().key("kitex/registry-etcd/echo/broken");
    await etcdClient.delete().key("kitex/registry-etcd/echo2/127.0.0.1:1");
    await client.close();
  });

  test("etcd restarted without its data: calls go on meanwhile (logged once), servers register again, the watch resumes", async () => {
    const logger = recordingLogger();
    const client = echoClient({ logger });
    // A new client: it too finds s2's key (its lease outlives the process) and must learn
    // by itself that s2 refuses, at the cost of the calls it sends there first.
    const before = await callMany(client, 300);
    const alive = [...before.keys()].filter((k) => k !== "error").sort();
    expect(alive).toEqual(["s1", "s3", "s4"]);
    // Calls go on through the outage, the restart and the re-registrations, and none fails.
    let calling = true;
    let failures = 0;
    let served = 0;
    const background = (async () => {
      while (calling) {
        try {
          await client.echo(new Uint8Array(8));
          served++;
        } catch {
          failures++;
        }
        await wait(5);
      }
    })();
    await etcd.destroy();
    const during = await callMany(client, 300);
    expect(during.get("error")).toBeUndefined();
    expect([...during.keys()].sort()).toEqual(alive);
    await wait(1_500);
    expect(logger.lines.filter((l) => l.includes("etcd unreachable")).length).toBe(1);
    etcd = await startEtcd({ clientPort: etcd.clientPort, peerPort: etcd.peerPort });
    // The servers' leases are gone with the data: each writes its registration again.
    const deadline = Date.now() + 20_000;
    let keys: string[] = [];
    while (Date.now() < deadline) {
      keys = (await etcdClient.getAll().prefix("kitex/registry-etcd/echo/").keys()).sort();
      if (keys.length === 3) break;
      await wait(200);
    }
    expect(keys).toEqual(servers.filter((s) => alive.includes(s.name)).map((s) => `kitex/registry-etcd/echo/127.0.0.1:${s.port}`).sort());
    // The client reads and watches again: a server registered now is called, one deregistered is not.
    while (!logger.lines.some((l) => l.includes("etcd reachable again")) && Date.now() < deadline) await wait(100);
    calling = false;
    await background;
    expect(failures).toBe(0);
    expect(served).toBeGreaterThan(100);
    const s5 = await startServer("s5", { weight: 10 });
    const s1 = servers.find((s) => s.name === "s1")!;
    s1.proc.send("stop");
    await new Promise((r) => s1.proc.once("exit", r));
    await wait(300);
    const after = await callMany(client, 600);
    expect(after.get("s5")).toBeGreaterThan(0);
    expect(after.get("s1")).toBeUndefined();
    expect(after.get("error")).toBeUndefined();
    expect(s5.port).toBeGreaterThan(0);
    await client.close();
  });

  test("unreachable etcd at start: a CONNECTION error naming the endpoint; with fallbackInstances, calls go there until etcd answers", async () => {
    const port = await freePort();
    const client = kw.createClient(echo.gen.Echo, {
      transport: { framing: "framed", protocol: "binary" }, target: `etcd://127.0.0.1:${port}/echo`, logger: kw.silentLogger,
    });
    await expect(client.echo(new Uint8Array(1))).rejects.toMatchObject({
      code: "CONNECTION", message: expect.stringMatching(new RegExp(`^cannot reach etcd at 127\\.0\\.0\\.1:${port} to resolve echo: `)),
    });
    await client.close();
    const s3 = servers.find((s) => s.name === "s3")!;
    const resolver = kw.etcdResolver({ endpoints: `127.0.0.1:${port}`, service: "echo", logger: kw.silentLogger, fallbackInstances: [kw.makeInstance(`127.0.0.1:${s3.port}`)] });
    const fallback = kw.createClient(echo.gen.Echo, { transport: { framing: "framed", protocol: "binary" }, target: resolver, logger: kw.silentLogger });
    expect(decoder.decode(await fallback.echo(new Uint8Array(1)))).toBe("s3");
    await fallback.close();
    await resolver.close();
  });
});

describe("consistent hashing through etcd", () => {
  test("same key, same instance; adding one of ten moves 8–12% of 10,000 keys", async () => {
    // Eleven in-process servers registered in etcd under their own service name.
    const registry = kw.etcdRegistry({ endpoints: etcd.endpoint });
    const listeners: any[] = [];
    const start = async (i: number) => {
      const name = new TextEncoder().encode(`h${i}`);
      const server = new kw.Server({ logger: kw.silentLogger }).register(echo.gen.Echo, { echo: () => name });
      listeners.push(await kw.listen(server, { registry, registration: { service: "hashed" } }));
    };
    for (let i = 0; i < 10; i++) await start(i);
    const client = kw.createClient(echo.gen.Echo, {
      transport: { framing: "framed", protocol: "binary" }, target: `etcd://${etcd.endpoint}/hashed`, logger: kw.silentLogger,
      loadBalancer: kw.consistentHash({ key: "user" }),
    });
    const owners = async () => {
      const out: string[] = new Array(10_000);
      let next = 0;
      await Promise.all(Array.from({ length: 50 }, async () => {
        for (let k = next++; k < 10_000; k = next++) {
          out[k] = decoder.decode(await client.echo(new Uint8Array(0), { metadata: { user: `user-${k}` } }));
        }
      }));
      return out;
    };
    const before = await owners();
    expect(new Set(before).size).toBe(10);
    expect(await owners()).toEqual(before);
    await start(10);
    await wait(300);
    const after = await owners();
    const moved = before.filter((o, k) => o !== after[k]);
    expect(moved.length / 10_000).toBeGreaterThanOrEqual(0.08);
    expect(moved.length / 10_000).toBeLessThanOrEqual(0.12);
    expect(new Set(after.filter((o, k) => o !== before[k]))).toEqual(new Set(["h10"]));
    await client.close();
    for (const l of listeners) await l.close({ timeoutMs: 500 });
    await registry.close();
  });
});
