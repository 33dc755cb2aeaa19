/** The context of a client call: an `RpcContext` plus where its current attempt goes. */
import { RpcContext } from "../rpc/context.js";
import type { ClientTransport } from "./transport.js";

export class ClientCallContext extends RpcContext {
  /**
   * The transport this attempt's request is sent on: the client's one connection, or the
   * picked instance's (set by the discovery step of the chain, with `peer`).
   */
  connection: ClientTransport | undefined = undefined;
}
