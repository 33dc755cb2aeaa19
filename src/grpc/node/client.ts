/** `createGrpcClient` in Node: channels on net or tls sockets (ALPN `h2`), gzip built in. */
import type { ConnectionOptions } from "node:tls";
import type { Client } from "../../client/client.js";
import type { ProtobufService } from "../../service/protobuf.js";
import type { ThriftService } from "../../service/thrift.js";
import { makeGrpcClient, type CreateGrpcClientOptions as BaseOptions } from "../client.js";
import { nodeDialer } from "./dial.js";
import { gzip } from "./gzip.js";

export type { GrpcCallOptions } from "../client.js";

/** Where a gRPC client's calls go, and how (Node). */
export interface CreateGrpcClientOptions extends BaseOptions {
  /** TLS for every channel (`https:`, ALPN `h2`); plain HTTP/2 without. */
  tls?: ConnectionOptions;
}

/**
 * Creates a gRPC client for `service`; `C` is its generated client interface, e.g.
 * `createGrpcClient<EchoClient>(Echo, { address: "127.0.0.1:50051" })`.
 */
export function createGrpcClient<C>(service: ProtobufService | ThriftService, options: CreateGrpcClientOptions): Client<C> {
  return makeGrpcClient<C>(service, options, {
    dialer: nodeDialer(options.tls), scheme: options.tls === undefined ? "http" : "https", compressions: [gzip], schedule: setImmediate,
  });
}
