// The server process of the scaling cases: `single` (listen), `threads:N` (listen with N
// server threads), `cluster:N` (listenCluster), or `floor` (a socket loop answering from a template). Sends { address, pids } once listening;
// closes and exits on "exit".
const mode = process.argv[2];
const { bundle } = JSON.parse(process.env.BENCH_CORES_GEN);
const kw = await import(bundle);
await kw.init();
const service = new URL("./echo-service.mjs", import.meta.url);
let close;
let address;
let pids = [process.pid];
if (mode === "single") {
  const l = await kw.listen((await import(service.href)).default(), { host: "127.0.0.1", port: 0 });
  address = l.address;
  close = () => l.close({ timeoutMs: 200 });
} else if (mode.startsWith("threads:")) {
  const spinMicros = mode.endsWith("-spin") ? Number(process.argv[3]) : 0;
  const l = await kw.listen(new kw.Server({ logger: kw.silentLogger }), { host: "127.0.0.1", port: 0, threads: parseInt(mode.slice(8), 10), serverModule: service, spinMicros });
  address = l.address;
  close = () => l.close({ timeoutMs: 200 });
} else if (mode === "floor") {
  // Not a server: the least a socket thread does for this echo in Node, a reference for the
  // hand-off's cost. Each read's whole frames are answered by one write of replies made from a
  // template (Framed Binary, the request's seqid and payload copied in); no RPC, no engine.
  const { createServer } = await import("node:net");
  const net = createServer((socket) => {
    socket.setNoDelay(true);
    let held = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      const bytes = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      let out = Buffer.allocUnsafe(bytes.length + 64);
      let used = 0;
      let at = 0;
      while (at + 4 <= bytes.length) {
        const size = bytes.readUInt32BE(at) + 4;
        if (at + size > bytes.length) break;
        // CALL: len, 0x80010001, 4, "echo", seqid, 0x0b 0x0001 payload-length payload, 0 (stop).
        const length = bytes.readInt32BE(at + 23);
        if (used + 28 + length > out.length) out = Buffer.concat([out.subarray(0, used), Buffer.allocUnsafe(28 + length + out.length)]);
        out.writeUInt32BE(24 + length, used);
        bytes.copy(out, used + 4, at + 4, at + 27 + length); // version, name, seqid, field header, payload
        out[used + 7] = 2; // REPLY
        out.writeUInt16BE(0, used + 21); // field 0: success
        out[used + 27 + length] = 0;
        used += 28 + length;
        at += size;
      }
      held = bytes.subarray(at);
      if (used > 0) socket.write(out.subarray(0, used));
    });
  });
  await new Promise((r) => net.listen(0, "127.0.0.1", r));
  address = `127.0.0.1:${net.address().port}`;
  close = () => new Promise((r) => net.close(r));
} else {
  const c = await kw.listenCluster({ workers: Number(mode.slice(8)), serverModule: service, logger: kw.silentLogger });
  address = c.address;
  pids = [process.pid, ...c.pids];
  close = () => c.close({ timeoutMs: 200 });
}
process.send({ address, pids });
process.on("message", async (m) => {
  if (m === "exit") {
    await close();
    process.exit(0);
  }
});
