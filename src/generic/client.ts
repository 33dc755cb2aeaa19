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
import { createClient, type CreateClientOptions, type KitewireCallOptions } from "../client/client.js";
import type { Idl } from "./idl.js";
import { serviceTable, unknownMethod } from "./service.js";
import { methodValues, type GenericJsonOptions, type GenericKind, type MethodValues } from "./values.js";

/** Options of `createGenericClient`: a loaded IDL, a service and a kind, and the options of `createClient`. */
export interface GenericClientOptions extends CreateClientOptions, GenericJsonOptions {
  idl: Idl;
  /** The service's name (`UserService`; for Protobuf its full name, or its name alone). */
  service: string;
  /**
   * `map`: arguments and results are map-generic values (a Thrift method's arguments one
   * object keyed by parameter name; a Protobuf method's its request message, defaults
   * filled in). `json`: JSON text (or a JSON value) in, JSON text out.
   */
  kind: GenericKind;
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
  const table = serviceTable(idl, options.service);
  const client = createClient<Record<string, (...args: unknown[]) => Promise<unknown>>>(table, options);
  const methods = Object.keys(table.methods);
  const values = new Map<string, MethodValues>();
  const valuesOf = (method: string): MethodValues => {
    let v = values.get(method);
    if (v === undefined) values.set(method, (v = methodValues(idl, table.name, method, kind, options)));
    return v;
  };
  const thriftParams = idl.syntax === "thrift" ? idl.services.get(table.name)! : undefined;
  return {
    service: table.name,
    methods,
    async call(method, args, callOptions) {
      if (!Object.hasOwn(table.methods, method)) throw unknownMethod(table.name, method, methods);
      const v = valuesOf(method);
      const input = v.argsIn(args ?? (kind === "json" ? "{}" : {}));
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
