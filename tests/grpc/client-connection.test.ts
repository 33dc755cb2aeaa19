/**
 * The gRPC client's connection against a peer that misbehaves at the HTTP/2 level: client
 * keepalive PINGs unanswered close the connection and fail the call in flight; a connect
 * (TLS handshake) that never completes fails after connectTimeoutMs.
 */
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { afterEach, beforeAll, expect, test } from "vitest";
import { createGrpcClient, init, KitewireError } from "kitewire";
import { echo } from "./support.js";

let raw: NetServer | undefined;
const sockets: Socket[] = [];
beforeAll(() => init());
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((r) => (raw ? raw.close(() => r()) : r()));
  raw = undefined;
});

/** A TCP server that runs `onSocket` on each connection; resolves with its port. */
function rawServer(onSocket: (s: Socket) => void): Promise<number> {
  raw = createServer((s) => (sockets.push(s), onSocket(s)));
  return new Promise((resolve) => raw!.listen(0, "127.0.0.1", () => resolve((raw!.address() as { port: number }).port)));
}

test("client keepalive: PINGs go out, and a server that never answers them is dropped, failing the call in flight", async () => {
  let pings = 0;
  let clientClosed = false;
  const port = await rawServer((s) => {
    // An HTTP/2 server that sends its SETTINGS and then answers nothing (not even PING).
    s.write(Uint8Array.of(0, 0, 0, 4, 0, 0, 0, 0, 0));
    let buffered = Buffer.alloc(0);
    s.on("data", (b: Buffer) => {
      buffered = Buffer.concat([buffered, b]);
      let at = buffered.indexOf("\r\n\r\nSM\r\n\r\n") >= 0 ? buffered.indexOf("\r\n\r\nSM\r\n\r\n") + 10 : 0;
      for (; at + 9 <= buffered.length; at += 9 + buffered.readUIntBE(at, 3)) if (buffered[at + 3] === 6 && (buffered[at + 4]! & 1) === 0) pings++;
    });
    s.on("close", () => (clientClosed = true));
  });
  const client = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${port}`, grpc: { keepaliveIntervalMs: 50, keepaliveTimeoutMs: 150 } });
  try {
    const started = Date.now();
    const error = await client.unary(echo.EchoRequest.create({ message: "never answered" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KitewireError);
    expect((error as KitewireError).code).toBe("CONNECTION");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(pings).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(clientClosed).toBe(true);
  } finally {
    await client.close();
  }
});

test("connectTimeoutMs bounds the connect: a TLS handshake that never completes fails with TIMEOUT", async () => {
  const port = await rawServer(() => undefined); // accepts, never speaks TLS
  const client = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${port}`, tls: { rejectUnauthorized: false }, grpc: { connectTimeoutMs: 150 } });
  try {
    const started = Date.now();
    const error = await client.unary(echo.EchoRequest.create({ message: "x" })).catch((e: unknown) => e);
    expect((error as KitewireError).code).toBe("TIMEOUT");
    expect(Date.now() - started).toBeLessThan(1500);
  } finally {
    await client.close();
  }
});
