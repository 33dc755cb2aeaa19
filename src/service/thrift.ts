/**
 * The method table generated code emits for each Thrift service: what the RPC core and
 * generic calls need to encode a call, decode it, and map results and exceptions.
 */
import type { ThriftStructCodec } from "../codec/thrift/struct.js";

/** A generated exception class: constructible, and its own codec. */
export type ThriftExceptionClass<E extends Error = Error> = (new (init?: never) => E) & ThriftStructCodec<E>;

/** One method of a Thrift service. */
export interface ThriftMethod<Args = unknown, Result = unknown> {
  /** The IDL name (what goes in the message header). */
  readonly name: string;
  readonly oneway: boolean;
  /** Annotated `(idempotent = "true")` in the IDL: calling it twice does what calling it once does. */
  readonly idempotent?: boolean;
  /** Whether the method returns void (its result struct has no `success`). */
  readonly void: boolean;
  /** Parameter names in IDL order: the client's positional arguments. */
  readonly params: readonly string[];
  /** The `<method>_args` struct. */
  readonly args: ThriftStructCodec<Args>;
  /** The `<method>_result` struct: field 0 `success`, then one field per declared exception. */
  readonly result: ThriftStructCodec<Result>;
  /** Declared exceptions by their field name in the result struct. */
  readonly exceptions: Readonly<Record<string, ThriftExceptionClass>>;
}

/** A Thrift service: its name, source IDL and methods (inherited ones included). */
export interface ThriftService {
  readonly name: string;
  /** The IDL file it was generated from. */
  readonly idl: string;
  readonly extends?: ThriftService;
  readonly methods: Readonly<Record<string, ThriftMethod>>;
}
