// The part of workerd's `cloudflare:sockets` module kitewire uses.
declare module "cloudflare:sockets" {
  interface Socket {
    readonly readable: ReadableStream<Uint8Array>;
    readonly writable: WritableStream<Uint8Array>;
    readonly opened: Promise<unknown>;
    readonly closed: Promise<void>;
    close(): Promise<void>;
  }
  export function connect(address: { hostname: string; port: number }, options?: { allowHalfOpen?: boolean; secureTransport?: "off" | "on" | "starttls" }): Socket;
}
