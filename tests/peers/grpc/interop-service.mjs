// The gRPC interop suite's server behaviour (grpc/doc/interop-test-descriptions.md), in
// kitewire: served by grpc-interop.test.ts on one thread, and by server threads of a
// `listen` with threads (this module's default export; the generated modules' and the
// build's URLs come in KITEWIRE_INTEROP_GEN).
const ECHO_INITIAL = "x-grpc-test-echo-initial";
const ECHO_TRAILING = "x-grpc-test-echo-trailing-bin";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The TestService handler, made of kitewire's `grpcError` and the generated `empty` and `messages` modules. */
export function interopService({ grpcError }, empty, msg) {
  const payload = (n) => msg.Payload.create({ body: new Uint8Array(n) });
  function echoMetadata(ctx) {
    const initial = ctx.requestMetadata[ECHO_INITIAL];
    if (initial !== undefined) ctx.responseHeaders[ECHO_INITIAL] = initial;
    const trailing = ctx.requestMetadata[ECHO_TRAILING];
    if (trailing !== undefined) ctx.trailers[ECHO_TRAILING] = trailing;
  }

  const testService = {
    emptyCall: () => empty.Empty.create(),
    unaryCall(request, ctx) {
      echoMetadata(ctx);
      if (request.responseStatus && request.responseStatus.code !== 0) throw grpcError(request.responseStatus.code, request.responseStatus.message);
      if (request.expectCompressed?.value && !ctx.requestCompressed) throw grpcError(3, "expected a compressed request");
      if (request.responseCompressed?.value) ctx.compress = true;
      return msg.SimpleResponse.create({ payload: payload(request.responseSize) });
    },
    cacheableUnaryCall(request, ctx) {
      return testService.unaryCall(request, ctx);
    },
    async *streamingOutputCall(request) {
      for (const p of request.responseParameters) {
        if (p.intervalUs > 0) await sleep(p.intervalUs / 1000);
        yield msg.StreamingOutputCallResponse.create({ payload: payload(p.size) });
      }
    },
    async streamingInputCall(requests) {
      let total = 0;
      for await (const r of requests) total += r.payload?.body.length ?? 0;
      return msg.StreamingInputCallResponse.create({ aggregatedPayloadSize: total });
    },
    async *fullDuplexCall(requests, ctx) {
      echoMetadata(ctx);
      for await (const r of requests) {
        if (r.responseStatus && r.responseStatus.code !== 0) throw grpcError(r.responseStatus.code, r.responseStatus.message);
        for (const p of r.responseParameters) {
          if (p.intervalUs > 0) await sleep(p.intervalUs / 1000);
          yield msg.StreamingOutputCallResponse.create({ payload: payload(p.size) });
        }
      }
    },
    async *halfDuplexCall(requests) {
      const all = [];
      for await (const r of requests) all.push(r);
      for (const r of all) for (const p of r.responseParameters) yield msg.StreamingOutputCallResponse.create({ payload: payload(p.size) });
    },
    unimplementedCall() {
      throw grpcError(12, "UnimplementedCall is not implemented");
    },
  };
  return testService;
}

/** A server thread's Server. */
export default async function makeServer() {
  const urls = JSON.parse(process.env.KITEWIRE_INTEROP_GEN);
  const kw = await import(urls.bundle);
  const [empty, msg, t] = await Promise.all([import(urls.empty), import(urls.messages), import(urls.test)]);
  return new kw.Server({ logger: kw.silentLogger }).register(t.TestService, interopService(kw, empty, msg));
}
