/**
 * gRPC server reflection (v1 and v1alpha) from a real client: @grpc/grpc-js with the public
 * reflection.proto lists the services of a kitewire server, fetches the descriptors of one,
 * loads them with @grpc/proto-loader (as reflection-based tools do), and calls the service
 * with no .proto of its own. The reflected descriptors of the golden example.proto
 * (nested types, maps, oneofs, enums, imports) are checked field by field against the
 * generated code's tables.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { init, listen, Server, silentLogger, type Listener, type ProtobufMessageCodec } from "kitewire";
import * as ex from "../golden/proto/gen/example.js";
import { echo, echoHandler, grpc } from "./support.js";

const require = createRequire(import.meta.url);
const loader = require("@grpc/proto-loader") as typeof import("@grpc/proto-loader");

type Response = {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
};

let listener: Listener;

beforeAll(async () => {
  await init();
  const never = () => {
    throw new Error("not called");
  };
  const server = new Server({ logger: silentLogger }).register(echo.Echo, echoHandler)
    .register(ex.UserService, { getUser: never, listUsers: never, importUsers: never, chat: never });
  listener = await listen(server, { grpc: { reflection: true } });
});
afterAll(() => listener.close({ timeoutMs: 200 }));

/** A reflection client of `version` on grpc-js: one request, one response. */
function reflectionClient(version: "v1" | "v1alpha") {
  const file = fileURLToPath(new URL(`./proto/${version === "v1" ? "reflection" : "reflection_v1alpha"}.proto`, import.meta.url));
  const def = loader.loadSync(file, { defaults: false, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as any;
  const Client = pkg.grpc.reflection[version].ServerReflection;
  const client = new Client(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure());
  return {
    ask(request: object): Promise<Response> {
      return new Promise((resolve, reject) => {
        const call = client.serverReflectionInfo();
        call.on("data", (r: Response) => resolve(r));
        call.on("error", reject);
        call.write(request);
        call.end();
      });
    },
    close: () => client.close(),
  };
}

/** A FileDescriptorSet of the given FileDescriptorProtos (field 1, repeated). */
function descriptorSet(files: Uint8Array[]): Buffer {
  const parts: number[] = [];
  for (const f of files) {
    parts.push(0x0a);
    let n = f.length;
    while (n >= 0x80) (parts.push((n & 0x7f) | 0x80), (n >>>= 7));
    parts.push(n, ...f);
  }
  return Buffer.from(parts);
}

for (const version of ["v1", "v1alpha"] as const) {
  describe(`grpc.reflection.${version}`, () => {
    let r: ReturnType<typeof reflectionClient>;
    beforeAll(() => {
      r = reflectionClient(version);
    });
    afterAll(() => r.close());

    test("list_services", async () => {
      const res = await r.ask({ listServices: "" });
      expect(res.listServicesResponse!.service.map((s) => s.name)).toEqual(expect.arrayContaining([
        "kitewire.grpc.test.Echo", "example.v1.UserService", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
      ]));
    });

    test("file_containing_symbol, loaded by proto-loader, calls the service without its .proto", async () => {
      const res = await r.ask({ fileContainingSymbol: "kitewire.grpc.test.Echo" });
      const files = res.fileDescriptorResponse!.fileDescriptorProto;
      const def = loader.loadFileDescriptorSetFromBuffer(descriptorSet(files), { defaults: true });
      const Echo = (grpc.loadPackageDefinition(def) as any).kitewire.grpc.test.Echo;
      const client = new Echo(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure());
      try {
        const reply = await new Promise<{ message: string }>((resolve, reject) =>
          client.unary({ message: "via reflection" }, (e: Error | null, v: { message: string }) => (e ? reject(e) : resolve(v))));
        expect(reply.message).toBe("via reflection");
        const streamed: string[] = [];
        await new Promise<void>((resolve, reject) => {
          const call = client.serverStream({ message: "s", count: 2 });
          call.on("data", (m: { message: string }) => streamed.push(m.message));
          call.on("end", resolve);
          call.on("error", reject);
        });
        expect(streamed).toEqual(["s 0", "s 1"]);
      } finally {
        client.close();
      }
    });

    test("file_by_filename, and unknown names answered with NOT_FOUND", async () => {
      const res = await r.ask({ fileByFilename: "echo.proto" });
      expect(res.fileDescriptorResponse!.fileDescriptorProto.length).toBe(1);
      const missing = await r.ask({ fileContainingSymbol: "no.Such" });
      expect(missing.errorResponse).toMatchObject({ errorCode: 5 });
      expect((await r.ask({ fileByFilename: "nope.proto" })).errorResponse).toMatchObject({ errorCode: 5 });
    });
  });
}

test("the reflected example.proto matches the generated code field by field (nesting, maps, oneofs, enums, imports)", async () => {
  const r = reflectionClient("v1");
  try {
    const res = await r.ask({ fileContainingSymbol: "example.v1.UserService.GetUser" });
    const def = loader.loadFileDescriptorSetFromBuffer(descriptorSet(res.fileDescriptorResponse!.fileDescriptorProto), {});
    const service = def["example.v1.UserService"] as Record<string, { requestStream: boolean; responseStream: boolean; path: string }>;
    expect(Object.values(service).map((m) => [m.path, m.requestStream, m.responseStream])).toEqual([
      ["/example.v1.UserService/GetUser", false, false], ["/example.v1.UserService/ListUsers", false, true],
      ["/example.v1.UserService/ImportUsers", true, false], ["/example.v1.UserService/Chat", true, true],
    ]);
    // proto-loader lists top-level types; nested ones are in their parent's nestedType.
    type Descriptor = { name: string; field: { name: string; number: number; label: string }[]; nestedType: Descriptor[] };
    const lookup = (name: string): Descriptor | undefined => {
      const top = (def[name] as { type?: Descriptor } | undefined)?.type;
      if (top !== undefined) return top;
      const at = name.lastIndexOf(".");
      return at < 0 ? undefined : lookup(name.slice(0, at))?.nestedType.find((n) => n.name === name.slice(at + 1));
    };
    // Every message reachable from the service, with its fields as the generated tables have them.
    const seen = new Set<string>();
    const check = (codec: ProtobufMessageCodec<unknown>) => {
      if (seen.has(codec.typeName)) return;
      seen.add(codec.typeName);
      const reflected = lookup(codec.typeName);
      expect(reflected, codec.typeName).toBeDefined();
      const fields = reflected!.field.map((f) => [f.name, f.number, f.label === "LABEL_REPEATED"]);
      expect(fields, codec.typeName).toEqual(codec.fields.map((f) => [f.protoName, f.no, f.repeated || f.type.kind === "map"]));
      for (const f of codec.fields) {
        const t = f.type.kind === "map" ? f.type.value : f.type;
        if (t.kind === "message") check(t.type());
      }
    };
    check(ex.User as ProtobufMessageCodec<unknown>);
    check(ex.GetUserRequest as ProtobufMessageCodec<unknown>);
    expect(seen.size).toBeGreaterThan(3);
  } finally {
    r.close();
  }
});
