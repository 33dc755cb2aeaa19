/**
 * The hostile-client suite's harness: the Hostile service generated once and run against
 * the built bundle (dist/, or HOSTILE_BUNDLE: another build, e.g. main's, to check that a
 * test fails there), a server in a child process whose RSS is sampled from /proc, raw
 * sockets for the attacks, and a well-behaved client whose calls must keep succeeding.
 */
import { connect, type Socket } from "node:net";
// @ts-ignore: a JS module (shared with bench/soak.mjs), not type-checked
import * as child from "./child.mjs";

const MiB = 1 << 20;

export interface ChildServer {
  readonly port: number;
  readonly pid: number;
  /** Lines the server logged (stderr). */
  readonly log: string[];
  /** Resident set size now, in MiB. */
  rss(): number;
  stop(): Promise<void>;
}

/** The kitewire build under test (dist/, or HOSTILE_BUNDLE). */
export const BUNDLE: string = child.BUNDLE;
/** Generates the Hostile and Mirror services for the bundle; returns the URL of the Thrift one. */
export const generateHostile: () => string = child.generateHostile;
/** Starts tests/hardening/server.mjs with `options` (ServerOptions) and waits for its port. */
export const startChild: (gen: string, options: Record<string, unknown>, more?: { statsMs?: number }) => Promise<ChildServer> = child.startChild;

/**
 * Samples `server`'s RSS every 50 ms until stopped; returns the largest. Kills the server
 * if it passes `killAboveMiB` (a build without the bounds would take the machine down).
 */
export function sampleRss(server: ChildServer, killAboveMiB = 2048): { stop(): number; max(): number } {
  let max = 0;
  const timer = setInterval(() => {
    const rss = server.rss();
    if (rss > max) max = rss;
    if (rss > killAboveMiB) void server.stop();
  }, 50);
  return { stop: () => (clearInterval(timer), max), max: () => max };
}

/** A connected raw socket; its errors are ignored (the server closing it is what the tests expect). */
export async function rawSocket(port: number): Promise<Socket> {
  const s = connect({ host: "127.0.0.1", port });
  s.on("error", () => undefined);
  await new Promise<void>((r, j) => s.once("connect", r).once("error", j));
  return s;
}

/** Resolves once `s` is closed, or with false after `ms`. */
export function closedWithin(s: Socket, ms: number): Promise<boolean> {
  if (s.destroyed || s.readyState === "closed") return Promise.resolve(true);
  return new Promise((r) => {
    const timer = setTimeout(() => r(false), ms);
    s.once("close", () => (clearTimeout(timer), r(true)));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `cond()` or `ms` pass; returns whether it held. */
export async function until(cond: () => boolean, ms: number, step = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(step);
  }
  return true;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Kw = any;

/** The bundle under test and the generated service, loaded in this process too. */
export async function loadKitewire(gen: string): Promise<{ kw: Kw; svc: Kw }> {
  const kw = await import(BUNDLE);
  await kw.init();
  return { kw, svc: await import(gen) };
}

/**
 * A well-behaved client on its own connection calling echo in a loop every `everyMs`
 * until stopped; counts successes and failures and the slowest call.
 */
export function goodCalls(kw: Kw, svc: Kw, port: number, everyMs = 20): { stop(): Promise<{ ok: number; failed: string[]; slowestMs: number }> } {
  const transport = { framing: "framed", protocol: "binary" };
  const client = kw.createClient(svc.Hostile, {
    transport, timeoutMs: 5_000,
    connection: kw.nodeTransport({ address: { host: "127.0.0.1", port }, transport, mode: "mux" }),
  });
  const payload = new Uint8Array(1024).fill(7);
  let ok = 0;
  let slowestMs = 0;
  const failed: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      try {
        const back: Uint8Array = await client.echo(payload);
        if (back.length !== payload.length) throw new Error(`echo returned ${back.length} bytes`);
        ok++;
      } catch (error) {
        failed.push(String((error as Error).message ?? error));
      }
      slowestMs = Math.max(slowestMs, Date.now() - t);
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.close();
      return { ok, failed, slowestMs };
    },
  };
}

/** A framed Thrift Binary CALL of `method`, its arguments written by `args` (a ThriftBinaryWriter). */
export function framedCall(kw: Kw, method: string, seqid: number, args: (w: Kw) => void): Buffer {
  const w = new kw.ThriftBinaryWriter();
  w.writeRaw(new Uint8Array(4));
  w.writeMessageBegin(method, kw.MessageType.CALL, seqid);
  w.writeStructBegin();
  args(w);
  w.writeFieldStop();
  w.patchU32(0, w.length - 4);
  return Buffer.from(w.finish());
}

/** Lines of `log` that report a rejection for `reason`. */
export function rejections(log: string[], reason: string): string[] {
  return log.filter((l) => l.includes(`reason=${reason}`));
}

export { MiB };
