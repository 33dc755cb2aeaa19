/**
 * The transport layer's vocabulary: how messages are framed on a connection and which
 * payload protocol they carry. The byte layouts are CloudWeGo's (Kitex's TTHeader, Kitex
 * Protobuf) and Apache Thrift's (`doc/specs/HeaderFormat.md`, the binary and compact
 * specs); ttheader.ts and theader.ts draw their headers. A server learns both from a
 * connection's first bytes (detect.ts) and answers in kind.
 */

/**
 * How messages are delimited on a connection: `buffered` (unframed), `framed` (u32
 * length), `ttheader` and `ttheader-framed` (Kitex's TTHeader, magic 0x1000, around an
 * unframed or framed message), `theader` (Apache Thrift's THeader, magic 0x0FFF), and
 * `kitex-protobuf` (Kitex's own framing of Protobuf messages).
 */
export type Framing = "buffered" | "framed" | "ttheader" | "ttheader-framed" | "theader" | "kitex-protobuf";

/** How the message inside a frame is encoded. */
export type PayloadProtocol = "binary" | "compact" | "protobuf";

export interface Transport {
  framing: Framing;
  protocol: PayloadProtocol;
}

/** Every valid combination, as `describeTransport` names them (for messages). */
export const VALID_TRANSPORTS =
  "buffered|framed|ttheader|ttheader-framed|theader with binary or compact, kitex-protobuf|ttheader|ttheader-framed with protobuf";

/**
 * The valid combinations: Kitex Protobuf framing always carries protobuf; TTHeader
 * carries any payload; Apache THeader and the plain Thrift framings only Thrift.
 */
export function checkTransport(t: Transport): boolean {
  if (t.protocol !== "binary" && t.protocol !== "compact" && t.protocol !== "protobuf") return false;
  switch (t.framing) {
    case "kitex-protobuf":
      return t.protocol === "protobuf";
    case "ttheader":
    case "ttheader-framed":
      return true;
    case "buffered":
    case "framed":
    case "theader":
      return t.protocol !== "protobuf";
    default:
      return false;
  }
}

/**
 * Whether a TTHeader's payload carries its own u32 length. Protobuf over TTHeader is always
 * framed, as Kitex sends and expects it (Kitex turns a TTHeader protobuf client into
 * TTHeaderFramed), so `ttheader` with protobuf means the same bytes as `ttheader-framed`.
 */
export function ttheaderPayloadFramed(t: Transport): boolean {
  return t.framing === "ttheader-framed" || (t.framing === "ttheader" && t.protocol === "protobuf");
}

/** `framing/protocol`, for messages. */
export function describeTransport(t: Transport): string {
  return `${t.framing}/${t.protocol}`;
}
