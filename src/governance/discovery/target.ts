/**
 * Client targets as strings: `host:port` (or several, comma-separated) is a static list;
 * `scheme://rest` goes to the resolver factory registered for `scheme`. The core knows
 * only the static form; runtime entries register theirs (kitewire for Node registers
 * `dns://` and `etcd://`).
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import type { Logger } from "../../observability/log/logger.js";
import type { Resolver } from "./resolver.js";
import { staticResolver } from "./static.js";

/** What a scheme's factory is given besides the target. */
export interface TargetContext {
  /** Where the resolver logs (the client's logger). */
  readonly logger: Logger;
}

/** Makes a resolver of `target`, whose part after `scheme://` is `rest`. Throws INVALID_VALUE for a malformed target. */
export type TargetScheme = (rest: string, target: string, context: TargetContext) => Resolver;

const schemes = new Map<string, TargetScheme>();

/** Makes `scheme://...` targets resolve through `factory` (a later registration replaces an earlier one). */
export function registerTargetScheme(scheme: string, factory: TargetScheme): void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new KitewireError(ErrorCode.INVALID_VALUE, `"${scheme}" is not a URI scheme`);
  schemes.set(scheme, factory);
}

/** The target forms understood here, for error messages. */
export function targetForms(): string {
  return ["host:port[,host:port...]", ...[...schemes.keys()].sort().map((s) => `${s}://`)].join(", ");
}

/** A resolver of `target`; throws INVALID_VALUE for an unknown scheme, listing the known ones. */
export function resolverForTarget(target: string, context: TargetContext): Resolver {
  const sep = target.indexOf("://");
  if (sep < 0) {
    const list = target.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (list.length === 0) throw new KitewireError(ErrorCode.INVALID_VALUE, `empty target; target forms: ${targetForms()}`);
    return staticResolver(list);
  }
  const scheme = target.slice(0, sep).toLowerCase();
  const factory = schemes.get(scheme);
  if (factory === undefined) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `unknown target scheme "${scheme}" in "${target}"; target forms: ${targetForms()}`);
  }
  return factory(target.slice(sep + 3), target, context);
}
