/** `createGrpcClient` for Deno, Bun and other runtimes with web-stream sockets (no gzip: identity only). */
import type { Client } from "../client/client.js";
import { ErrorCode, KitewireError } from "../errors.js";
import { denoSocket, isDeno } from "../net/deno/connect.js";
import type { ProtobufService } from "../service/protobuf.js";
import type { ThriftService } from "../service/thrift.js";
import type { GrpcDialer } from "./channel.js";
import { makeGrpcClient, type CreateGrpcClientOptions } from "./client.js";
import { streamDialer } from "./stream-dialer.js";

export interface WebGrpcClientOptions extends CreateGrpcClientOptions {
  /** Opens the sockets (default in Deno: `streamDialer(denoSocket)`; plain HTTP/2). */
  dialer?: GrpcDialer;
}

/** Creates a gRPC client for `service` over web-stream sockets. */
export function createGrpcClient<C>(service: ProtobufService | ThriftService, options: WebGrpcClientOptions): Client<C> {
  const dialer = options.dialer ?? (isDeno() ? streamDialer(denoSocket) : undefined);
  if (dialer === undefined) throw new KitewireError(ErrorCode.INVALID_STATE, "createGrpcClient: no socket API here; pass a dialer (streamDialer(open))");
  return makeGrpcClient<C>(service, options, { dialer, scheme: "http", compressions: [] });
}
