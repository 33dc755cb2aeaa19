/** gRPC's runtime-free core: status codes, header values, message framing, google.rpc.Status, options. */
export { GrpcStatus, grpcError, grpcDetailsOf, statusOf, errorOfStatus, type GrpcErrorDetails } from "./status.js";
export {
  parseTimeout, formatTimeout, encodeGrpcMessage, decodeGrpcMessage, metadataOf, addMetadata, isCustomMetadata, encodeBase64, decodeBase64,
  type GrpcMetadata,
} from "./headers.js";
export { MessageDeframer, writePrefix, PREFIX_BYTES, type GrpcCompression, type MessageSink } from "./message.js";
export { encodeRpcStatus, decodeRpcStatus, type RpcStatus, type AnyMessage } from "./status-details.js";
export { GrpcServerContext } from "./context.js";
export {
  GRPC_SERVER_DEFAULTS, GRPC_CLIENT_DEFAULTS, makeGrpcServerOptions, makeGrpcClientOptions, type GrpcServerOptions, type GrpcClientOptions,
} from "./options.js";
