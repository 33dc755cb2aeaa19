/**
 * A loaded IDL's services as the method tables generated code emits (`ThriftService`,
 * `ProtobufService`): what `createClient` and `Server.register` take, so a generic call
 * goes through the same client chain and server routes as a generated one, each method a
 * MethodBinding like any other.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { ProtobufService } from "../service/protobuf.js";
import type { ThriftExceptionClass, ThriftMethod, ThriftService } from "../service/thrift.js";
import type { Idl } from "./idl.js";
import type { ThriftServiceDescriptor } from "./thrift/descriptor.js";

const tables = new WeakMap<ThriftServiceDescriptor, ThriftService>();

/** The method table of service `name` of `idl`; throws INVALID_VALUE listing the services it has. */
export function serviceTable(idl: Idl, name: string): ThriftService | ProtobufService {
  if (idl.syntax === "proto") {
    const s = idl.services.get(name) ?? [...idl.services.values()].find((x) => x.name.endsWith(`.${name}`));
    if (s === undefined) throw unknownService(name, idl.services.keys());
    return s;
  }
  const s = idl.services.get(name);
  if (s === undefined) throw unknownService(name, idl.services.keys());
  let table = tables.get(s);
  if (table === undefined) {
    const methods: Record<string, ThriftMethod> = {};
    for (const m of s.methods.values()) {
      const exceptions: Record<string, ThriftExceptionClass> = {};
      for (const e of m.exceptions) {
        if (e.type.kind === "struct") exceptions[e.name] = e.type.struct.codec as unknown as ThriftExceptionClass;
      }
      methods[m.name] = {
        name: m.name, oneway: m.oneway, idempotent: m.idempotent, void: m.result === null, params: m.params.map((p) => p.name),
        args: m.argsStruct.codec, result: m.resultStruct.codec, exceptions,
      };
    }
    tables.set(s, (table = { name: s.name, idl: "(loaded at run time)", methods }));
  }
  return table;
}

function unknownService(name: string, known: Iterable<string>): KitewireError {
  return new KitewireError(ErrorCode.INVALID_VALUE, `the IDL has no service '${name}' (it has: ${[...known].join(", ") || "none"})`);
}

/** The error for a method the service does not have, listing those it has. */
export function unknownMethod(service: string, method: string, known: Iterable<string>): KitewireError {
  return new KitewireError(ErrorCode.UNKNOWN_METHOD, `${service} has no method '${method}' (it has: ${[...known].join(", ")})`, {
    details: { service, method, methods: [...known] },
  });
}
