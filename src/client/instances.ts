/**
 * The discovery step of a client chain: the instances of one target, each with its own
 * transport, kept up to date from a resolver and picked per call by a load balancer.
 *
 *  - A change from the resolver updates the picker at once (not per call); instances are
 *    matched by address, so an instance that stays keeps its connections.
 *  - A removed instance gets no new calls; its transport closes once its calls in flight
 *    have finished. An empty list keeps the instances known (as Kitex's cache does).
 *  - An instance whose connects fail (refused, unreachable, timed out) is taken out of the
 *    picker for a backoff (1 s, doubling to 30 s by default), then probed with a connect
 *    of its own: back in when it connects, out for twice as long when not. When every
 *    instance is out, all are picked from again rather than failing every call.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { hasTags, type Instance } from "../governance/discovery/instance.js";
import type { Resolver } from "../governance/discovery/resolver.js";
import type { Candidate, LoadBalancer, Picker } from "../governance/loadbalance/balancer.js";
import type { Logger } from "../observability/log/logger.js";
import { RateLimitedLog } from "../observability/log/rate-limit.js";
import type { Endpoint, Middleware } from "../rpc/endpoint.js";
import type { RpcContext } from "../rpc/context.js";
import type { Transport } from "../remote/transport.js";
import type { ClientCallContext } from "./call-context.js";
import { AttemptContext, avoidedPeers, preferredPeer } from "../governance/retry/attempt.js";
import type { ClientTransport, Connector } from "./transport.js";

/** How long an instance refusing connections stays out of the picker. */
export interface InstanceBackoff {
  /** The first time (ms). */
  initialMs: number;
  /** Doubling up to this (ms). */
  maxMs: number;
}

export interface ServiceInstancesOptions {
  service: string;
  resolver: Resolver;
  /** Close the resolver with the client (it was made from a target string). */
  ownsResolver: boolean;
  balancer: LoadBalancer;
  connector: Connector;
  transport: Transport;
  /** Only instances with all these tags are called. */
  filterTags: Readonly<Record<string, string>> | undefined;
  backoff: InstanceBackoff;
  logger: () => Logger;
  /** Whether an instance may be picked now (its instance circuit breaker; issue 18). */
  instanceAllowed?: ((address: string) => boolean) | undefined;
  /** Told of each instance removed, so that its breaker goes with it. */
  removed?: ((address: string) => void) | undefined;
}

/** One instance as the client holds it: its transport, calls in flight, health. */
export class InstanceConnection implements Candidate {
  inflight = 0;
  /** Out of the picker: its connects fail. */
  down = false;
  /** A probe connect is under way. */
  probing = false;
  backoffMs = 0;
  probeTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Removed by the resolver: no new calls; closed when the last call in flight ends. */
  retired = false;
  transport!: ClientTransport;

  constructor(public instance: Instance) {}
}

export class ServiceInstances {
  private readonly byAddress = new Map<string, InstanceConnection>();
  private readonly retiring = new Set<InstanceConnection>();
  private readonly picker: Picker<InstanceConnection>;
  private readonly log: RateLimitedLog;
  /** Candidates in the picker now. */
  private picking = 0;
  private ready = false;
  private closed = false;
  private starting: Promise<void> | undefined;
  private stopWatching: (() => void) | undefined;

  constructor(private readonly options: ServiceInstancesOptions) {
    this.picker = options.balancer.newPicker<InstanceConnection>();
    this.log = new RateLimitedLog(options.logger, { burst: 1, intervalMs: 30_000 });
  }

  /** The discovery step: picks an instance for each try and counts the call on it. */
  readonly middleware: Middleware = (next) => (ctx, args) =>
    this.ready ? this.call(next, ctx, args) : this.start().then(() => this.call(next, ctx, args));

  /**
   * Resolves the target the first time (and starts watching it); a failed start is tried
   * again by the next call.
   */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new KitewireError(ErrorCode.CONNECTION, "client closed"));
    return (this.starting ??= this.options.resolver.resolve().then(
      (instances) => {
        if (this.closed) return;
        this.update(instances);
        this.stopWatching ??= this.options.resolver.watch((list) => this.update(list));
        this.ready = true;
      },
      (error: unknown) => {
        this.starting = undefined;
        throw error;
      }));
  }

  private async call(next: Endpoint, ctx: RpcContext, args: unknown): Promise<unknown> {
    let picked = this.picker.pick(ctx, args);
    if (picked === undefined) throw this.noInstance();
    // A retry (the same context again) goes elsewhere when it can.
    if (picked.instance.address === ctx.peer && this.picking > 1) picked = this.picker.pick(ctx, args) ?? picked;
    if (ctx instanceof AttemptContext || this.options.instanceAllowed !== undefined) picked = this.governed(picked, ctx, args);
    ctx.peer = picked.instance.address;
    (ctx as ClientCallContext).connection = picked.transport;
    picked.inflight++;
    try {
      return await next(ctx, args);
    } finally {
      if (--picked.inflight === 0 && picked.retired) this.closeRetired(picked);
    }
  }

  /**
   * Issue 18's part of the pick: an attempt of a retried call goes to the instance before it
   * (retry_same_node) or to one its earlier attempts did not (picks again, at most once per
   * candidate); an instance whose breaker is open is skipped likewise. When every
   * candidate is ruled out the last pick stands: the call fails at that instance rather
   * than nowhere.
   */
  private governed(picked: InstanceConnection, ctx: RpcContext, args: unknown): InstanceConnection {
    const preferred = preferredPeer(ctx);
    if (preferred !== undefined) return this.byAddress.get(preferred) ?? picked;
    const avoided = avoidedPeers(ctx);
    const allowed = this.options.instanceAllowed;
    for (let i = 0; i < this.picking; i++) {
      const address = picked.instance.address;
      if (!avoided.includes(address) && (allowed === undefined || allowed(address))) return picked;
      picked = this.picker.pick(ctx, args) ?? picked;
    }
    return picked;
  }

  /** Applies a resolver's list: adds, updates and retires instances, then updates the picker. */
  private update(list: readonly Instance[]): void {
    if (this.closed) return;
    if (list.length === 0 && this.byAddress.size > 0) {
      // As Kitex does (registry-etcd's resolver fails on an empty prefix; the client keeps
      // its cache): an empty answer is more often a registry that lost its data, or a
      // moment while every instance re-registers, than a service without instances.
      this.log.log("warn", "\u0000empty", "the target resolved to no instances: keeping the last ones", {
        service: this.options.service, target: this.options.resolver.target, instances: this.byAddress.size,
      });
      return;
    }
    const tags = this.options.filterTags;
    const seen = new Set<string>();
    for (const instance of list) {
      if (tags !== undefined && !hasTags(instance, tags)) continue;
      seen.add(instance.address);
      const known = this.byAddress.get(instance.address);
      if (known !== undefined) known.instance = instance;
      else this.byAddress.set(instance.address, this.connect(instance));
    }
    for (const [address, c] of this.byAddress) {
      if (seen.has(address)) continue;
      this.byAddress.delete(address);
      c.retired = true;
      this.options.removed?.(address);
      clearTimeout(c.probeTimer);
      if (c.inflight === 0) this.closeRetired(c);
      else this.retiring.add(c);
    }
    this.rebuild();
  }

  private connect(instance: Instance): InstanceConnection {
    const c = new InstanceConnection(instance);
    c.transport = this.options.connector(instance.address, this.options.transport, {
      connectFailed: (error) => this.connectFailed(c, error),
      connected: () => this.connected(c),
    });
    return c;
  }

  private rebuild(): void {
    const all = [...this.byAddress.values()];
    const up = all.filter((c) => !c.down);
    const candidates = up.length > 0 ? up : all;
    this.picking = candidates.length;
    this.picker.update(candidates);
  }

  private connectFailed(c: InstanceConnection, error: unknown): void {
    if (c.retired || this.closed) return;
    if (!c.down) {
      c.down = true;
      c.backoffMs = this.options.backoff.initialMs;
      this.rebuild();
    } else if (c.probing) {
      c.probing = false;
      c.backoffMs = Math.min(this.options.backoff.maxMs, c.backoffMs * 2);
    } else {
      return; // a connect begun before it was taken out
    }
    this.log.log("warn", c.instance.address, "instance refuses connections: out of the balancer for a while", {
      service: this.options.service, peer: c.instance.address, backoffMs: c.backoffMs, error,
    });
    c.probeTimer = setTimeout(() => this.probe(c), c.backoffMs);
  }

  private probe(c: InstanceConnection): void {
    c.probeTimer = undefined;
    if (c.retired || this.closed) return;
    if (c.transport.warm === undefined) {
      // Without a probe of its own, the next call to it is the probe.
      c.down = false;
      this.rebuild();
      return;
    }
    c.probing = true;
    c.transport.warm().catch(() => undefined); // its outcome arrives as connectFailed or connected
  }

  private connected(c: InstanceConnection): void {
    if (!c.down || c.retired || this.closed) return;
    c.down = false;
    c.probing = false;
    c.backoffMs = 0;
    this.rebuild();
    this.options.logger().info("instance accepts connections again: back in the balancer", { service: this.options.service, peer: c.instance.address });
  }

  private closeRetired(c: InstanceConnection): void {
    this.retiring.delete(c);
    c.transport.close().catch(() => undefined);
  }

  private noInstance(): KitewireError {
    const tags = this.options.filterTags;
    return new KitewireError(ErrorCode.NO_INSTANCE, `no instance of ${this.options.service} to call: target ${this.options.resolver.target} ` +
      `has ${tags === undefined ? "none" : `none with tags ${JSON.stringify(tags)}`}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatching?.();
    const all = [...this.byAddress.values(), ...this.retiring];
    this.byAddress.clear();
    this.retiring.clear();
    for (const c of all) clearTimeout(c.probeTimer);
    await Promise.all([
      ...all.map((c) => c.transport.close()),
      this.options.ownsResolver ? this.options.resolver.close() : undefined,
    ]);
  }
}
