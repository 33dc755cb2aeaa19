/** Shared pieces of the RPC tests: a handler for the example service and client/server helpers. */
import { connect, type Socket } from "node:net";
import {
  createClient, listen, nodeTransport, Server, type Listener, type NodeTransportOptions, type ServerOptions, type Transport,
} from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";

export { ex };

/** A UserService handler whose getUser waits `id` milliseconds when `id` is in [1000, 10000). */
export class SlowHandler implements ex.UserServiceHandler {
  calls = 0;
  async getUser(id: bigint, ..._rest: unknown[]): Promise<ex.User> {
    this.calls++;
    if (id >= 1000n && id < 10000n) await new Promise((r) => setTimeout(r, Number(id) - 1000));
    return ex.User.create({ id, name: "u" });
  }
  listUsers(page: number, size: number): ex.User[] {
    return Array.from({ length: size }, (_, i) => ex.User.create({ id: BigInt(i), name: "x".repeat(page) }));
  }
  updateUser(): void {}
  touch(): void {}
  contactOf(): ex.Contact {
    return { case: undefined };
  }
  statuses(): Map<bigint, ex.Status> {
    return new Map();
  }
  ping(message: string): string {
    return message;
  }
}

export async function startServer(handler: object, options: Partial<ServerOptions> = {}, tls?: object): Promise<{ server: Server; listener: Listener }> {
  const server = new Server(options).register(ex.UserService, handler as ex.UserServiceHandler);
  const listener = await listen(server, tls ? { tls } : {});
  return { server, listener };
}

export function client(listener: Listener, transport: Transport, extra: Partial<NodeTransportOptions> = {}) {
  return createClient<ex.UserServiceClient>(ex.UserService, {
    transport,
    connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport, ...extra }),
  });
}

/** A raw socket to the server; resolves when connected. */
export function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Resolves when `socket` closes, or rejects after `ms`. */
export function closedWithin(socket: Socket, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export const FRAMED: Transport = { framing: "framed", protocol: "binary" };
export const TTHEADER: Transport = { framing: "ttheader", protocol: "binary" };
