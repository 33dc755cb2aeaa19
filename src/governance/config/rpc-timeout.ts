/**
 * Per-method RPC timeouts from the `rpc_timeout` document (Kitex's `rpctimeout.RPCTimeout`
 * shape: method or `*` to `{rpc_timeout_ms, conn_timeout_ms}`).
 */
import { integerAt, join, mapAt, objectAt } from "../json.js";

export interface RpcTimeout {
  /** Each attempt's RPC timeout in ms (0: none), as Kitex's rpctimeout middleware applies it, below retry. */
  readonly rpcTimeoutMs: number;
  /** Connect timeout in ms of connections the call opens (0: the transport's). */
  readonly connTimeoutMs: number;
}

/** Reads an `rpc_timeout` document (strict). */
export function parseRpcTimeoutDocument(value: unknown): Map<string, RpcTimeout> {
  const map = mapAt(value, "");
  const out = new Map<string, RpcTimeout>();
  for (const method in map) {
    const o = objectAt(map[method], method, ["rpc_timeout_ms", "conn_timeout_ms"]);
    out.set(method, Object.freeze({
      rpcTimeoutMs: integerAt(o, "rpc_timeout_ms", join("", method), 0),
      connTimeoutMs: integerAt(o, "conn_timeout_ms", join("", method), 0),
    }));
  }
  return out;
}

/** The timeouts a client looks up per call (empty until a document arrives). */
export class RpcTimeouts {
  private byMethod: ReadonlyMap<string, RpcTimeout> = new Map();

  update(timeouts: ReadonlyMap<string, RpcTimeout>): void {
    this.byMethod = timeouts;
  }

  /**
   * The document's entry for `method`, else its `*` entry, else undefined: the client keeps
   * its own timeouts (where Kitex's container falls back to 1000 ms and 50 ms).
   */
  of(method: string): RpcTimeout | undefined {
    return this.byMethod.get(method) ?? this.byMethod.get("*");
  }
}
