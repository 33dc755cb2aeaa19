/**
 * One shape for the methods of Thrift and Protobuf services, so clients and servers treat
 * both alike: how arguments and results go on the wire, and how errors map.
 *
 * Arguments are what middleware sees: the `<method>_args` struct of a Thrift method (an
 * object keyed by parameter name), the request message of a Protobuf method.
 */
import type { ProtobufReader } from "../codec/protobuf/reader.js";
import type { ProtobufWriter } from "../codec/protobuf/writer.js";
import type { ThriftReader, ThriftWriter } from "../codec/thrift/protocol.js";
import { readStruct } from "../codec/thrift/struct.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { PayloadReader, PayloadWriter } from "../remote/payload.js";
import type { ProtobufMethod, ProtobufService } from "../service/protobuf.js";
import type { ThriftMethod, ThriftService } from "../service/thrift.js";

export interface MethodBinding {
  /** The IDL service name. */
  readonly service: string;
  /** The name on the wire. */
  readonly name: string;
  readonly oneway: boolean;
  /** Marked idempotent in the IDL: a retry policy for `*` may retry it (see `RetryOptions.policies`). */
  readonly idempotent: boolean;
  /** Positional parameter names (Thrift); a Protobuf method takes one request. */
  readonly params: readonly string[] | null;
  writeArgs(w: PayloadWriter, args: unknown): void;
  readArgs(r: PayloadReader): unknown;
  /** Writes a successful result. */
  writeResult(w: PayloadWriter, value: unknown): void;
  /** Writes a result with nothing in it (the payload of a business-status reply). */
  writeEmptyResult(w: PayloadWriter): void;
  /** Whether `error` is one of the method's declared exceptions (an answer, not a failure). */
  declares(error: unknown): boolean;
  /** Writes `error` as a declared exception and returns true, or returns false if it is not one. */
  writeDeclaredError(w: PayloadWriter, error: unknown): boolean;
  /** Reads a reply: returns the success value or throws the declared exception it carries. */
  readResult(r: PayloadReader): unknown;
}

/** Bindings of every method of a Thrift service (inherited ones included), by wire name. */
export function thriftBindings(service: ThriftService): Map<string, MethodBinding> {
  const out = new Map<string, MethodBinding>();
  for (const method of Object.values(service.methods)) out.set(method.name, thriftBinding(service.name, method));
  return out;
}

function thriftBinding(service: string, m: ThriftMethod): MethodBinding {
  const exceptions = Object.entries(m.exceptions);
  /** The result struct's field for `error`, if it is one of the declared exceptions. */
  const declaredField = (error: unknown): string | undefined =>
    exceptions.find(([, type]) => error instanceof (type as unknown as abstract new (...a: never[]) => unknown))?.[0];
  return {
    service,
    name: m.name,
    oneway: m.oneway,
    idempotent: m.idempotent === true,
    params: m.params,
    writeArgs: (w, args) => m.args.write(w as ThriftWriter, args),
    readArgs: (r) => readStruct(m.args, r as ThriftReader),
    writeResult: (w, value) => m.result.write(w as ThriftWriter, (m.void ? {} : { success: value }) as never),
    writeEmptyResult: (w) => m.result.write(w as ThriftWriter, {} as never),
    declares: (error) => declaredField(error) !== undefined,
    writeDeclaredError(w, error) {
      const field = declaredField(error);
      if (field === undefined) return false;
      m.result.write(w as ThriftWriter, { [field]: error } as never);
      return true;
    },
    readResult(r) {
      const result = readStruct(m.result, r as ThriftReader) as Record<string, unknown>;
      for (const [field] of exceptions) if (result[field] !== undefined) throw result[field];
      if (m.void) return undefined;
      if (result["success"] === undefined) {
        throw new KitewireError(ErrorCode.REMOTE, `${m.name}: the reply carries neither a result nor a declared exception`, {
          details: { type: 5 },
        });
      }
      return result["success"];
    },
  };
}

/** Bindings of every method of a Protobuf service, by wire name (streaming ones excepted). */
export function protobufBindings(service: ProtobufService): Map<string, MethodBinding> {
  const out = new Map<string, MethodBinding>();
  for (const method of Object.values(service.methods)) {
    if (method.kind === "unary") out.set(method.name, protobufBinding(service.name, method));
  }
  return out;
}

function protobufBinding(service: string, m: ProtobufMethod): MethodBinding {
  return {
    service,
    name: m.name,
    oneway: false,
    idempotent: m.idempotent === true,
    params: null,
    writeArgs: (w, args) => m.input.encode(w as ProtobufWriter, args),
    readArgs: (r) => m.input.decode(r as ProtobufReader),
    writeResult: (w, value) => m.output.encode(w as ProtobufWriter, value),
    writeEmptyResult: (w) => m.output.encode(w as ProtobufWriter, m.output.create()),
    declares: () => false,
    writeDeclaredError: () => false,
    readResult: (r) => m.output.decode(r as ProtobufReader),
  };
}
