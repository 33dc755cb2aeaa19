/** HTTP/2 on any byte transport: connections, streams, HPACK (src/net/http2). */
export { Http2Connection, type Http2ConnectionEvents, type Http2Transport } from "./connection.js";
export { Http2Stream, type Http2StreamHandler, type OutgoingHeaders } from "./stream.js";
export type { HeaderMap } from "./hpack.js";
export { H2Error } from "./constants.js";
export { HTTP2_DEFAULTS, makeHttp2Options, type Http2Options } from "./options.js";
