/**
 * What the gateway tests share: the upstream Thrift server in a process of its own
 * (fixtures/upstream.mjs on dist/kitewire.node.mjs), a closed port for "upstream down",
 * and the gateway options every runtime's gateway uses.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { distFile } from "../runtimes/support.js";

export const FIXTURES = fileURLToPath(new URL("fixtures/", import.meta.url));
export const SEARCH_THRIFT = `${FIXTURES}search.thrift`;
export const SEARCH_THRIFT_TEXT = readFileSync(SEARCH_THRIFT, "utf8");

/** Body limit every test gateway is given. */
export const TEST_MAX_BODY = 64 * 1024;

export interface Upstream {
  port: number;
  stop(): Promise<void>;
}

/** Starts fixtures/upstream.mjs; resolves once it listens. */
export function startUpstream(): Promise<Upstream> {
  const bundle = pathToFileURL(distFile("kitewire.node.mjs")).href;
  const child: ChildProcess = spawn(process.execPath, [`${FIXTURES}upstream.mjs`, JSON.stringify({ bundle })], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("upstream did not start within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`upstream exited with ${code}`)));
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      const { port } = JSON.parse(out.slice(0, nl)) as { port: number };
      resolve({
        port,
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once("exit", () => done());
          child.stdin!.end();
          setTimeout(() => child.kill("SIGKILL"), 2_000).unref();
        }),
      });
    });
  });
}

/** A port on 127.0.0.1 nothing listens on (bound, then closed). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
