/**
 * What a plain Apache Thrift peer sees when kitewire's server limits refuse a call: a
 * TApplicationException (type 100, kitewire's OVERLOADED) on a connection that stays open,
 * the next call served. The client is Python (python3-thrift, code from Debian's
 * thrift-compiler for tests/golden/thrift/example.thrift); the server is the built package.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { init, listen, Server, type Listener } from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";

const PYTHON = "/usr/bin/python3";
const THRIFT = process.env.THRIFT ?? "/usr/bin/thrift";
const IDL = fileURLToPath(new URL("../golden/thrift/example.thrift", import.meta.url));
let genDir: string;
let listener: Listener;

beforeAll(async () => {
  await init();
  genDir = mkdtempSync(join(tmpdir(), "kitewire-py-overload-"));
  execFileSync(THRIFT, ["-r", "--gen", "py", "-out", genDir, IDL], { stdio: "pipe" });
  const unused = () => {
    throw new Error("unused");
  };
  const server = new Server({ limits: { methods: { ping: { qps: 0.001, burst: 1 } } } }).register(ex.UserService, {
    getUser: unused, listUsers: (_page: number, size: number) => Array.from({ length: size }, (_, i) => ex.User.create({ id: BigInt(i), name: "u" })), updateUser: unused, touch: unused, contactOf: unused, statuses: unused,
    ping: (message: string) => message,
  });
  listener = await listen(server, { host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await listener?.close({ timeoutMs: 500 });
  rmSync(genDir, { recursive: true, force: true });
});

test("python3-thrift: the call over the rate limit raises TApplicationException type 100; the connection serves the next call", async () => {
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(genDir)})
from thrift.transport import TSocket, TTransport
from thrift.protocol import TBinaryProtocol
from thrift.Thrift import TApplicationException
from example import UserService
sock = TTransport.TFramedTransport(TSocket.TSocket("127.0.0.1", ${listener.port}))
client = UserService.Client(TBinaryProtocol.TBinaryProtocol(sock))
sock.open()
out = {"first": client.ping("a")}
try:
    client.ping("b")
except TApplicationException as e:
    out["type"] = e.type
    out["message"] = e.message
out["unlimited"] = [u.id for u in client.listUsers(1, 2)]
print(json.dumps(out))
`;
  // asynchronously: the server answering the script runs in this process
  const { stdout } = await promisify(execFile)(PYTHON, ["-c", script], { encoding: "utf8", timeout: 30_000 });
  const out = JSON.parse(stdout) as Record<string, unknown>;
  expect(out).toMatchObject({ first: "a", type: 100, unlimited: [0, 1] });
  expect(String(out["message"])).toMatch(/overloaded: method rate limit reached/);
});
