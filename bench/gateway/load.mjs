// The load generator of the gateway benchmark: N keep-alive HTTP/1.1 connections, one
// request in flight on each (closed loop), a prebuilt Connect unary JSON request written
// raw and the reply parsed just enough (status line, content-length, body) to check it and
// time it. Runs `warmup` ms, then measures `time` ms. argv[2]: JSON { port, path, body,
// inflight, warmup, time, expect }. Prints the result as JSON.
import { connect } from "node:net";

const spec = JSON.parse(process.argv[2]);
const body = Buffer.from(spec.body);
const request = Buffer.concat([Buffer.from(
  `POST ${spec.path} HTTP/1.1\r\nhost: 127.0.0.1:${spec.port}\r\ncontent-type: application/json\r\n` +
  `connect-protocol-version: 1\r\ncontent-length: ${body.length}\r\n\r\n`), body]);
const expected = Buffer.from(spec.expect);

let measuring = false;
let stopped = false;
let count = 0;
let errors = 0;
const latencies = [];

function conn() {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port: spec.port, noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
}

async function loop(socket) {
  let buf = Buffer.alloc(0);
  let started = 0;
  let need = -1;
  const send = () => {
    if (stopped) return;
    started = performance.now();
    socket.write(request);
  };
  socket.on("data", (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    for (;;) {
      if (need < 0) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buf.subarray(0, end).toString("latin1");
        const m = /content-length:\s*(\d+)/i.exec(head);
        if (!head.startsWith("HTTP/1.1 200") || m === null) {
          errors++;
          process.stderr.write(`unexpected reply: ${head.split("\r\n")[0]}\n`);
        }
        need = end + 4 + Number(m?.[1] ?? 0);
      }
      if (buf.length < need) return;
      const reply = buf.subarray(need - expected.length, need);
      if (!reply.equals(expected)) errors++;
      buf = buf.subarray(need);
      need = -1;
      if (measuring) {
        count++;
        latencies.push(performance.now() - started);
      }
      send();
    }
  });
  send();
}

const sockets = await Promise.all(Array.from({ length: spec.inflight }, conn));
for (const s of sockets) loop(s);
await new Promise((r) => setTimeout(r, spec.warmup));
process.stdout.write("measuring\n");
measuring = true;
const t0 = performance.now();
await new Promise((r) => setTimeout(r, spec.time));
measuring = false;
const elapsed = performance.now() - t0;
stopped = true;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
process.stdout.write(JSON.stringify({ qps: (count / elapsed) * 1000, calls: count, errors, p50: pct(0.5), p99: pct(0.99), p999: pct(0.999) }) + "\n");
for (const s of sockets) s.destroy();
process.exit(0);
