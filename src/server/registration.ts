/**
 * A listening server's registration: what `listen(server, { registry, registration })`
 * registers once the server listens, and takes back first thing in graceful shutdown.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { joinAddress } from "../governance/discovery/instance.js";
import type { Registry, RegistryInfo } from "../governance/discovery/registry.js";
import { getLogger, type Logger } from "../observability/log/logger.js";

/** What to register: the service name, and the address when the listen address is not one to call. */
export interface Registration {
  /** The service name clients resolve (e.g. `echo`). */
  service: string;
  /** `host:port` clients should call (default: the listen address; needed when listening on 0.0.0.0 or ::). */
  address?: string;
  /** Share of calls (default 10). */
  weight?: number;
  tags?: Readonly<Record<string, string>>;
}

const WILDCARD = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

/**
 * Registers a server listening at `host:port` (nothing without a registry). Returns what
 * deregisters it (never rejecting: a failure is logged, and the registration's lease runs
 * out). On failure to register, calls `stopListening` and throws.
 */
export async function registerListener(
  options: { registry?: Registry | undefined; registration?: Registration | undefined },
  host: string,
  port: number,
  stopListening: () => Promise<void>,
  logger: Logger | undefined,
): Promise<() => Promise<void>> {
  const { registry, registration } = options;
  if (registry === undefined) return async () => undefined;
  let info: RegistryInfo;
  try {
    if (registration === undefined || registration.service === "") {
      throw new KitewireError(ErrorCode.INVALID_VALUE, "listen: a registry needs registration.service, the name clients resolve");
    }
    if (registration.address === undefined && WILDCARD.has(host)) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `listen: listening on ${host}, which is no address to call: give registration.address`);
    }
    if (registration.address === undefined && host.startsWith("unix:")) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `listen: listening on ${host}, and a registry holds host:port addresses: give registration.address (the host:port clients should call)`);
    }
    info = { ...registration, address: registration.address ?? joinAddress(host, port) };
    await registry.register(info);
  } catch (error) {
    await stopListening();
    throw error;
  }
  let done: Promise<void> | undefined;
  return () => (done ??= registry.deregister(info).catch((error: unknown) => {
    (logger ?? getLogger()).warn("deregistering failed", { service: info.service, address: info.address, error });
  }));
}
