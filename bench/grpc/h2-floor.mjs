// The floor under the gRPC benchmark: node:http2 alone, no gRPC logic (no decoding, no
// status handling beyond the trailers), 100 unary-shaped calls in flight of a 1 KiB echo
// message, server and client in separate processes. Prints CPU µs per call of each side.
// Run: node bench/grpc/h2-floor.mjs
import http2 from "node:http2";
import { fork } from "node:child_process";
const role = process.argv[2];
const body = Buffer.alloc(5+1027); body.writeUInt32BE(1027,1); body[5]=0x12; body[6]=0x80; body[7]=0x08;
if (role === "server") {
  let n=0;
  const s = http2.createServer();
  s.on("stream", (st, h) => {
    st.on("data", () => {});
    st.on("end", () => {
      st.respond({":status":200,"content-type":"application/grpc"}, {waitForTrailers:true});
      st.once("wantTrailers", () => st.sendTrailers({"grpc-status":"0"}));
      st.end(body); n++;
    });
  });
  s.listen(0, "127.0.0.1", () => process.send(s.address().port));
  process.on("message", (m) => { if (m==="mark") { globalThis.c=process.cpuUsage(); globalThis.n0=n; } else { const c=process.cpuUsage(globalThis.c); process.send({cpu:(c.user+c.system)/(n-globalThis.n0), n:n-globalThis.n0}); process.exit(0);} });
} else if (role === "client") {
  const port = Number(process.argv[3]);
  const sess = http2.connect(`http://127.0.0.1:${port}`);
  let n=0, run=true;
  const one = () => { const r = sess.request({":method":"POST",":path":"/kitewire.grpc.test.Echo/Unary","content-type":"application/grpc",te:"trailers"}); r.on("response",()=>{}); r.on("data",()=>{}); r.on("trailers",()=>{}); r.on("close",()=>{n++; if(run) one();}); r.end(body); };
  for (let i=0;i<100;i++) one();
  process.on("message", (m) => { if (m==="mark") { globalThis.c=process.cpuUsage(); globalThis.n0=n; globalThis.t=performance.now(); } else { const c=process.cpuUsage(globalThis.c); process.send({cpu:(c.user+c.system)/(n-globalThis.n0), qps:(n-globalThis.n0)/(performance.now()-globalThis.t)*1000}); process.exit(0);} });
} else {
  const s = fork(process.argv[1], ["server"]);
  const port = await new Promise(r => s.once("message", r));
  const c = fork(process.argv[1], ["client", String(port)]);
  await new Promise(r=>setTimeout(r,1000));
  s.send("mark"); c.send("mark");
  await new Promise(r=>setTimeout(r,4000));
  const rs = new Promise(r => s.once("message", r)), rc = new Promise(r => c.once("message", r));
  s.send("stop"); c.send("stop");
  console.log("server", await rs, "client", await rc);
}
