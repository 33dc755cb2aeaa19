/**
 * The cases of a grpc-js client calling a kitewire server (the Echo service of support.ts,
 * or its twin on server threads, tests/net/threads/grpc-service.mjs): all four call shapes,
 * metadata both ways, statuses, deadlines. Run against one thread (grpc-js.test.ts) and
 * against `threads: 2` (tests/net/threads/grpc.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { collect, grpc, grpcJsEcho } from "./support.js";

type Call = import("@grpc/grpc-js").Client & Record<string, (...a: unknown[]) => unknown>;

/** A listening server serving the Echo service. */
export interface Served {
  readonly port: number;
  close(): Promise<void>;
}

export function grpcJsClientCases(name: string, serve: () => Promise<Served>): void {
describe(`grpc-js client -> ${name}`, () => {
  let listener: Served;
  let client: Call;

  beforeAll(async () => {
    listener = await serve();
    const { Client } = grpcJsEcho();
    client = new Client(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure()) as unknown as Call;
  });
  afterAll(async () => {
    client.close();
    await listener.close();
  });

  test("unary, with metadata both ways", async () => {
    const md = new grpc.Metadata();
    md.set("x-tag", "t1");
    md.set("x-bin", Buffer.from([0, 1, 2, 255]));
    let headers: import("@grpc/grpc-js").Metadata | undefined;
    let trailers: import("@grpc/grpc-js").Metadata | undefined;
    const reply = await new Promise<{ message: string; payload: Buffer }>((resolve, reject) => {
      const call = client.unary({ message: "hi", payload: Buffer.from("abc") }, md, (e: Error | null, r: never) => (e ? reject(e) : resolve(r))) as
        import("@grpc/grpc-js").ClientUnaryCall;
      call.on("metadata", (m) => (headers = m));
      call.on("status", (s) => (trailers = s.metadata));
    });
    expect(reply.message).toBe("hi");
    expect(Buffer.from(reply.payload).toString()).toBe("abc");
    expect(headers?.get("x-tag")).toEqual(["t1"]);
    expect(trailers?.get("x-tag-trailer")).toEqual(["t1"]);
    expect(trailers?.get("x-bin")).toEqual([Buffer.from([0, 1, 2, 255])]);
  });

  test("a status with a non-ASCII message", async () => {
    const error = await new Promise<import("@grpc/grpc-js").ServiceError>((resolve) => {
      client.unary({ message: "héllo %20 \n", failWith: 5 }, (e: import("@grpc/grpc-js").ServiceError) => resolve(e));
    });
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toBe("failed as asked: héllo %20 \n");
  });

  test("server streaming", async () => {
    const call = client.serverStream({ message: "m", count: 5 }) as import("@grpc/grpc-js").ClientReadableStream<{ message: string; index: number }>;
    const got = await collect(call);
    expect(got.map((r) => r.message)).toEqual(["m 0", "m 1", "m 2", "m 3", "m 4"]);
  });

  test("client streaming", async () => {
    const reply = await new Promise<{ message: string; index: number }>((resolve, reject) => {
      const call = client.clientStream((e: Error | null, r: never) => (e ? reject(e) : resolve(r))) as import("@grpc/grpc-js").ClientWritableStream<unknown>;
      for (const m of ["a", "b", "c"]) call.write({ message: m });
      call.end();
    });
    expect(reply).toMatchObject({ message: "a,b,c", index: 3 });
  });

  test("bidi streaming", async () => {
    const call = client.bidi() as import("@grpc/grpc-js").ClientDuplexStream<unknown, { message: string }>;
    const got: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on("data", (r) => {
        got.push(r.message);
        if (got.length < 3) call.write({ message: `x${got.length}` });
        else call.end();
      });
      call.on("end", resolve);
      call.on("error", reject);
    });
    call.write({ message: "x0" });
    await done;
    expect(got).toEqual(["X0", "X1", "X2"]);
  });

  test("an unknown method is UNIMPLEMENTED", async () => {
    const raw = new grpc.Client(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure());
    const error = await new Promise<import("@grpc/grpc-js").ServiceError>((resolve) => {
      raw.makeUnaryRequest("/kitewire.grpc.test.Echo/Nope", (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (e) => resolve(e!));
    });
    raw.close();
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  test("a deadline shorter than the handler is DEADLINE_EXCEEDED", async () => {
    const error = await new Promise<import("@grpc/grpc-js").ServiceError>((resolve) => {
      client.unary({ message: "slow", sleepMs: 500 }, new grpc.Metadata(), { deadline: Date.now() + 50 }, (e: import("@grpc/grpc-js").ServiceError) => resolve(e));
    });
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });
});
}
