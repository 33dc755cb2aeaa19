/**
 * kitewire's runtime-agnostic core. Runtime entry points (src/runtime/*) re-export this
 * and add `init()`, which loads the engine the way their runtime allows.
 */
export { ErrorCode, KitewireError, type KitewireErrorOptions } from "./errors.js";
export { Engine, type EngineOptions } from "./wasm/engine.js";
export { loadEngine, initEngine, setEngine, getEngine, type EngineSource, type EngineSources } from "./wasm/load.js";
export { BufferChain } from "./buffer/chain.js";
export { ByteWriter, type WriterOptions } from "./codec/byte-writer.js";
export { ByteReader, type ReaderOptions } from "./codec/byte-reader.js";
export { emptyBytes } from "./codec/slab.js";
export { newList } from "./codec/list.js";
export { TType, MessageType, type MessageHeader } from "./codec/thrift/types.js";
export type { ThriftWriter, ThriftReader, ThriftProtocol, UnknownField } from "./codec/thrift/protocol.js";
export {
  encodeThrift, decodeThrift, readStruct, missingField, unsetField, unionOverflow, expectElements, expectEntries,
  uuidToBytes, uuidFromBytes, type ThriftStructCodec, type DecodeOptions,
} from "./codec/thrift/struct.js";
export { copyThriftValue } from "./codec/thrift/copy.js";
export type { ThriftService, ThriftMethod, ThriftExceptionClass } from "./service/thrift.js";
export type { CallOptions, CallContext } from "./service/context.js";
export { ThriftBinaryWriter } from "./codec/thrift/binary-writer.js";
export { ThriftBinaryReader, type ThriftReaderOptions } from "./codec/thrift/binary-reader.js";
export { ThriftCompactWriter } from "./codec/thrift/compact-writer.js";
export { ThriftCompactReader } from "./codec/thrift/compact-reader.js";
export { WireType } from "./codec/protobuf/wire-type.js";
export { ProtobufWriter } from "./codec/protobuf/writer.js";
export { ProtobufReader } from "./codec/protobuf/reader.js";
export { EMPTY_BYTES, EMPTY_LIST, EMPTY_MAP } from "./codec/protobuf/empty.js";
export {
  encodeProtobuf, decodeProtobuf, decodeNested, decodeGroup, missingRequired, unsetRequired, unknownVarint,
  type ProtobufMessageCodec, type ProtobufField, type ProtobufEnumInfo, type FieldType, type ScalarType,
  type ProtobufDecodeOptions,
} from "./codec/protobuf/message.js";
export {
  getExtension, setExtension, hasExtension, clearExtension, type ProtobufExtension,
} from "./codec/protobuf/extension.js";
export { defaultOf, valueOrDefault } from "./codec/protobuf/defaults.js";
export type { ProtobufService, ProtobufMethod, MethodKind } from "./service/protobuf.js";
export {
  toJson, toJsonString, fromJson, fromJsonString, createTypeRegistry, type TypeRegistry, type AnyProtobufExtension,
  type JsonValue, type JsonObject, type JsonWriteOptions, type JsonStringWriteOptions, type JsonReadOptions,
} from "./codec/protobuf/json/index.js";
export type { Transport, Framing, PayloadProtocol } from "./remote/transport.js";
export { registerTransform, TransformId, type PayloadTransform } from "./remote/transform.js";
export { RpcContext, type BizStatus } from "./rpc/context.js";
export { Metainfo } from "./rpc/metainfo.js";
export { chain, type Endpoint, type Middleware } from "./rpc/endpoint.js";
export {
  Retryer, RETRY_DEFAULTS, requestNotSent, type RetryOptions, type CallObserver, type RetriedMethod,
} from "./governance/retry/retryer.js";
export {
  RetryType, resolveRetryPolicy, parseRetryPolicyJson, parseRetryDocument, type RetryPolicy, type FailurePolicy,
  type BackupPolicy, type MixedPolicy, type StopPolicy, type BackoffPolicy, type BackoffType, type ShouldResultRetry,
  type ResolvedRetryPolicy,
} from "./governance/retry/policy.js";
export { RetryBudget } from "./governance/retry/budget.js";
export { AttemptContext, RETRY_REQUEST_KEY, attemptOf, avoidedPeers, preferredPeer, isRetryRequest } from "./governance/retry/attempt.js";
export {
  CircuitBreakers, serviceBreakerMiddleware, serviceBreakerGate, instanceBreakerMiddleware, timeoutOrConnectionFailure, connectionFailure,
  CIRCUIT_BREAKER_OPTION_DEFAULTS, type CircuitBreakerOptions, type FailurePredicate,
} from "./governance/circuitbreak/suite.js";
export { CircuitBreaker, BREAKER_TIMING_DEFAULTS, type BreakerState, type BreakerTiming } from "./governance/circuitbreak/breaker.js";
export {
  CIRCUIT_BREAKER_DEFAULTS, makeCircuitBreakerConfig, parseCircuitBreakerConfig, parseCircuitBreakerDocument,
  type CircuitBreakerConfig, type CircuitBreakerConfigJson,
} from "./governance/circuitbreak/config.js";
export { ServerLimits, type Limit, type LimitOptions } from "./governance/limit/limits.js";
export { TokenBucket } from "./governance/limit/token-bucket.js";
export { parseLimitDocument, type LimitDocument } from "./governance/limit/config.js";
export type { ConfigSource, ConfigListener } from "./governance/config/source.js";
export { MemoryConfigSource } from "./governance/config/memory-source.js";
export { clientConfigKey, serverConfigKey, ConfigCategory, DEFAULT_CONFIG_PREFIX } from "./governance/config/keys.js";
export { RpcTimeouts, parseRpcTimeoutDocument, type RpcTimeout } from "./governance/config/rpc-timeout.js";
export { watchClientConfig, watchServerConfig, type ClientGovernance, type ConfigNames } from "./governance/config/watch.js";
export { RollingWindow, type Now } from "./governance/window.js";
export { bizStatusError } from "./rpc/biz-status.js";
export { composeTracers, type Tracer, type ConnectionEvent } from "./observability/tracer.js";
export {
  consoleLogger, silentLogger, getLogger, setLogger, formatLine,
  type Logger, type LogLevel, type LogFields, type ConsoleLoggerOptions,
} from "./observability/log/logger.js";
export { RateLimitedLog, type RateLimitOptions } from "./observability/log/rate-limit.js";
export { Server, type ConnectionInfo } from "./server/server.js";
export { makeServerOptions, SERVER_DEFAULTS, type ServerOptions } from "./server/options.js";
export { createClient, type Client, type CreateClientOptions, type KitewireCallOptions } from "./client/client.js";
export { makeClientOptions, CLIENT_DEFAULTS, type ClientOptions } from "./client/options.js";
export {
  setDefaultConnector, getDefaultConnector, NOT_SENT, type ClientTransport, type OutgoingCall, type Connector, type ConnectEvents,
} from "./client/transport.js";
export { buildClientChain, type ClientChainParts } from "./client/chain.js";
export { ClientCallContext } from "./client/call-context.js";
export type { InstanceBackoff } from "./client/instances.js";
export type { Registration } from "./server/registration.js";
export {
  makeInstance, splitAddress, joinAddress, hasTags, DEFAULT_WEIGHT, type Instance,
} from "./governance/discovery/instance.js";
export type { Resolver, InstancesListener } from "./governance/discovery/resolver.js";
export type { Registry, RegistryInfo } from "./governance/discovery/registry.js";
export { staticResolver, type StaticInstance } from "./governance/discovery/static.js";
export { MemoryRegistry } from "./governance/discovery/memory.js";
export { registerTargetScheme, resolverForTarget, targetForms, type TargetScheme, type TargetContext } from "./governance/discovery/target.js";
export {
  encodeEtcdValue, decodeEtcdValue, etcdInstanceKey, etcdServicePrefix, ETCD_DEFAULT_PREFIX, ETCD_DEFAULT_TTL_SECONDS,
} from "./governance/discovery/etcd/format.js";
export type { LoadBalancer, Picker, Candidate, RandomSource } from "./governance/loadbalance/balancer.js";
export { weightedRoundRobin } from "./governance/loadbalance/round-robin.js";
export { weightedRandom } from "./governance/loadbalance/random.js";
export { leastLoaded } from "./governance/loadbalance/least-loaded.js";
export { consistentHash, hashString, type ConsistentHashOptions } from "./governance/loadbalance/consistent-hash.js";
export { generate, type GenerateOptions, type GenerateResult } from "./codegen/generate.js";
export * from "./generic/index.js";
export * from "./gateway/index.js";
export type { StreamSocket, OpenSocket } from "./net/socket.js";
export { streamTransport, streamConnector, type StreamTransportOptions } from "./net/stream/transport.js";
export * from "./grpc/index.js";
export { Ring, createRing, DEFAULT_RING_OPTIONS, type RingOptions, type FrameHandler } from "./net/shm/ring.js";
export { createShmChannel, type ShmChannel } from "./net/shm/channel.js";
export { shmTransport, type ShmTransportOptions } from "./net/shm/client.js";
export { serveShm, type ShmServing, type ShmServeOptions } from "./net/shm/server.js";
