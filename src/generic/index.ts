/**
 * Calls without generated code: IDLs loaded at run time, and codecs, clients and handlers
 * working from their descriptors. Map generic takes and gives plain JS values (the values
 * generated code uses); JSON generic takes and gives JSON text.
 */
export { loadIdl, loadIdlDescriptorSet, type Idl, type LoadIdlOptions, type ProtoIdl } from "./idl.js";
export type * from "./thrift/descriptor.js";
export { ThriftGenericException } from "./thrift/codec.js";
export { thriftStructFromJson, thriftStructToJson, type ThriftJsonReadOptions } from "./thrift/json.js";
export { parseGenericJson } from "./json-text.js";
export {
  encodeGeneric, decodeGeneric, genericFromJson, genericToJson, jsonToBytes, bytesToJson, bytesToJsonBytes, thriftStruct, protoMessage,
  type GenericCodecOptions,
} from "./codec.js";
export { serviceTable } from "./service.js";
export type { GenericKind, GenericJsonOptions } from "./values.js";
export { createGenericClient, type GenericClient, type GenericClientOptions } from "./client.js";
export { registerGeneric, type GenericHandle, type GenericServiceOptions } from "./server.js";
