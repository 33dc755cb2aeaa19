/**
 * The one middleware shape of kitewire, for clients and servers alike.
 *
 * An endpoint takes a call's context and its arguments (the IDL args struct, or the
 * request message) and resolves to its result (the success value) or throws. A middleware
 * wraps an endpoint: `(next) => endpoint`. In a list, the first middleware is the
 * outermost: it sees the call first and the result last, like the layers of an onion.
 *
 * @example
 * const logging: Middleware = (next) => async (ctx, args) => {
 *   const started = Date.now();
 *   try {
 *     return await next(ctx, args);
 *   } finally {
 *     console.log(`${ctx.service}.${ctx.method} took ${Date.now() - started} ms`);
 *   }
 * };
 */
import type { RpcContext } from "./context.js";

export type Endpoint = (ctx: RpcContext, args: unknown) => Promise<unknown>;

export type Middleware = (next: Endpoint) => Endpoint;

/** Wraps `endpoint` in `middlewares`, the first outermost. */
export function chain(middlewares: readonly Middleware[], endpoint: Endpoint): Endpoint {
  let next = endpoint;
  for (let i = middlewares.length - 1; i >= 0; i--) next = middlewares[i]!(next);
  return next;
}
