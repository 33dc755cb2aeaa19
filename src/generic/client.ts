/**
 * A client that calls any method of a service loaded at run time, by name. It is a
 * generated-style client over the service's method table (`serviceTable`), so calls take
 * the same path as generated ones: context and deadline, the client chain, framing, every
 * transport and connection mode.
 *
 * @example
 * const client = createGenericClient({ idl, service: "UserService", kind: "json", transport, connection });
 * await client.call("getUser", '{"id": 7}'); // '{"id":7,"name":"ada",...}'
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { createClient, type CreateClientOptions, type KitewireCallOptions } from "../client/client.js";
import { joinMessage, MessageType, rawService, splitMessage, thriftProtocolOf } from "./binary.js";
import type { Idl } from "./idl.js";
import { serviceTable, unknownMethod } from "./service.js";
import type { ThriftService } from "../service/thrift.js";
import { getEngine } from "../wasm/load.js";
import { jsonServiceTable, TranscodedStruct } from "./transcode/calls.js";
import { jsonToThriftInEngine } from "./transcode/transcode.js";
import { methodValues, type GenericJsonOptions, type GenericKind, type MethodValues } from "./values.js";

/** Options of `createGenericClient`: a loaded IDL, a service and a kind, and the options of `createClient`. */
export interface GenericClientOptions extends CreateClientOptions, GenericJsonOptions {
  /** The IDL (not needed by the binary kind, which then calls any method name). */
  idl?: Idl;
  /** The service's name (`UserService`; for Protobuf its full name, or its name alone). */
  service: string;
  /**
   * `map`: arguments and results are map-generic values (a Thrift method's arguments one
   * object keyed by parameter name; a Protobuf method's its request message, defaults
   * filled in). `json`: JSON text (or its UTF-8 bytes, or a JSON value) in, JSON text out. `binary` (Thrift):
   * a whole Thrift message in (envelope and arguments, in the transport's protocol), sent
   * on untouched under the called method's name and the client's seqid; the whole reply
   * message out, with the caller's seqid.
   */
  kind: GenericKind | "binary";
}

export interface GenericClient {
  /** The service's full name and its methods' names. */
  readonly service: string;
  readonly methods: readonly string[];
  /**
   * Calls `method` with `args`; resolves to its result (JSON text "null" for a void Thrift
   * method in the JSON kind). A declared Thrift exception rejects as a
   * `ThriftGenericException` whose fields are in the client's kind; other failures as a
   * KitewireError (UNKNOWN_METHOD for a method the service does not have, listing its methods).
   */
  call(method: string, args?: unknown, options?: KitewireCallOptions): Promise<unknown>;
  close(): Promise<void>;
}

/** Creates a generic client (see `GenericClientOptions`). */
export function createGenericClient(options: GenericClientOptions): GenericClient {
  const { idl, kind } = options;
  if (kind === "binary") return binaryClient(options);
  if (idl === undefined) throw new KitewireError(ErrorCode.INVALID_VALUE, `a ${kind} generic client needs the IDL`);
  const table = serviceTable(idl, options.service);
  // JSON on Thrift: arguments and results are transcoded in the engine (transcode/calls.ts).
  const thriftService = idl.syntax === "thrift" ? idl.services.get(table.name)! : undefined;
  const protocol = kind === "json" && thriftService !== undefined ? thriftProtocolOf(options.transport.protocol) : undefined;
  const called = protocol !== undefined ? jsonServiceTable(thriftService!, table as ThriftService) : table;
  const client = createClient<Record<string, (...args: unknown[]) => Promise<unknown>>>(called, options);
  const methods = Object.keys(table.methods);
  const values = new Map<string, MethodValues>();
  const valuesOf = (method: string): MethodValues => {
    let v = values.get(method);
    if (v === undefined) values.set(method, (v = methodValues(idl, table.name, method, kind, options)));
    return v;
  };
  const thriftParams = thriftService;
  /** JSON text arguments transcoded in the engine, as the arguments object calls.ts writes; undefined to take the JS path. */
  const transcodedArgs = (method: string, args: unknown): Record<string, unknown> | undefined => {
    if (protocol === undefined || (typeof args !== "string" && !(args instanceof Uint8Array))) return undefined;
    const m = thriftService!.methods.get(method)!;
    if (m.params.length === 0) return undefined;
    const bytes = jsonToThriftInEngine(getEngine(), m.argsStruct, args, protocol, options);
    return bytes === undefined ? undefined : { [m.params[0]!.name]: new TranscodedStruct(bytes, protocol) };
  };
  return {
    service: table.name,
    methods,
    async call(method, args, callOptions) {
      if (!Object.hasOwn(table.methods, method)) throw unknownMethod(table.name, method, methods);
      const v = valuesOf(method);
      const input = transcodedArgs(method, args) ?? v.argsIn(args ?? (kind === "json" ? "{}" : {}));
      let result: unknown;
      try {
        if (thriftParams !== undefined) {
          const a = input as Record<string, unknown>;
          result = await client[method]!(...thriftParams.methods.get(method)!.params.map((p) => a[p.name]), callOptions);
        } else {
          result = await client[method]!(input, callOptions);
        }
      } catch (error) {
        throw v.errorOut(error);
      }
      return v.resultOut(result);
    },
    close: () => client.close(),
  };
}

/** The binary kind: one raw-method client per method name called, all on the one connection or target. */
function binaryClient(options: GenericClientOptions): GenericClient {
  const protocol = thriftProtocolOf(options.transport.protocol);
  const thrift = options.idl?.syntax === "thrift" ? options.idl.services.get(options.service) : undefined;
  if (options.idl !== undefined && thrift === undefined) serviceTable(options.idl, options.service); // throws, naming the services
  const methods = thrift === undefined ? [] : [...thrift.methods.keys()];
  const clients = new Map<string, Record<string, (payload: Uint8Array, o?: KitewireCallOptions) => Promise<unknown>>>();
  return {
    service: options.service,
    methods,
    async call(method, message, callOptions) {
      if (thrift !== undefined && !thrift.methods.has(method)) throw unknownMethod(options.service, method, methods);
      const { header, body } = splitMessage(message as Uint8Array, protocol);
      const oneway = header.type === MessageType.ONEWAY;
      const key = `${oneway ? "oneway " : ""}${method}`;
      let client = clients.get(key);
      if (client === undefined) {
        const table = rawService(options.service, [{ name: method, oneway }]);
        clients.set(key, (client = createClient(table, { ...options, connection: options.connection })));
      }
      const reply = await client[method]!(body, callOptions);
      if (oneway) return undefined;
      return joinMessage({ name: method, type: MessageType.REPLY, seqid: header.seqid }, reply as Uint8Array, protocol);
    },
    async close() {
      // The per-method clients share the connection (closing it twice is harmless); each has its own discovery.
      if (clients.size === 0) await options.connection?.close();
      await Promise.all([...clients.values()].map((c) => (c as unknown as { close(): Promise<void> }).close()));
    },
  };
}
