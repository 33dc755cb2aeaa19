/**
 * The transport layer's vocabulary: how messages are framed on a connection and which
 * payload protocol they carry (wire-formats.md). A server learns both from a connection's
 * first bytes (detect.ts) and answers in kind.
 */

/** How messages are delimited on a connection. */
export type Framing = "buffered" | "framed" | "ttheader" | "ttheader-framed" | "kitex-protobuf";

/** How the message inside a frame is encoded. */
export type PayloadProtocol = "binary" | "compact" | "protobuf";

export interface Transport {
  framing: Framing;
  protocol: PayloadProtocol;
}

/** The valid combinations: Kitex Protobuf framing always carries protobuf, Thrift framings never do. */
export function checkTransport(t: Transport): boolean {
  if (t.framing === "kitex-protobuf") return t.protocol === "protobuf";
  if (t.framing === "ttheader" || t.framing === "ttheader-framed") return true;
  return t.protocol !== "protobuf";
}
