/**
 * Per-method RPC timeouts from the `rpc_timeout` document (Kitex's `rpctimeout.RPCTimeout`
 * shape: method or `*` to `{rpc_timeout_ms, conn_timeout_ms}`).
 */
import { integerAt, join, mapAt, objectAt } from "../json.js";

export interface RpcTimeout {
  /** The call's timeout in ms (0: the client's default). */
  readonly rpcTimeoutMs: number;
  /** Connect timeout in ms (read and checked; the Node transport's own option sets it). */
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

  /** The configured timeout of `method` in ms, or undefined for the client's own. */
  rpcTimeoutMs(method: string): number | undefined {
    const t = this.byMethod.get(method) ?? this.byMethod.get("*");
    return t !== undefined && t.rpcTimeoutMs > 0 ? t.rpcTimeoutMs : undefined;
  }
}
