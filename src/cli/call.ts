/**
 * `kitewire call`: calls one method of a Thrift or Protobuf service from the shell, the
 * way `kitexcall` and `grpcurl` do, with the IDL loaded at run time (JSON generic), and
 * prints the reply as JSON. `--list` prints the services and their methods' signatures.
 * Usage: CALL_USAGE.
 */
import { readFileSync } from "node:fs";
import { nodeTransport } from "../client/node/transport.js";
import { fromJson } from "../codec/protobuf/json/from-json.js";
import { toJsonString } from "../codec/protobuf/json/to-json.js";
import { ErrorCode, KitewireError } from "../errors.js";
import { createGenericClient } from "../generic/client.js";
import { protoRegistry } from "../generic/codec.js";
import { loadIdl, type Idl, type ProtoIdl } from "../generic/idl.js";
import { parseGenericJson } from "../generic/json-text.js";
import { serviceTable, unknownMethod } from "../generic/service.js";
import { ThriftGenericException } from "../generic/thrift/codec.js";
import type { ThriftFieldDescriptor, ThriftTypeDescriptor } from "../generic/thrift/descriptor.js";
import type { GrpcCallOptions } from "../grpc/client.js";
import { createGrpcClient } from "../grpc/node/client.js";
import type { Framing, Transport } from "../remote/transport.js";
import { init } from "../runtime/node/index.js";
import type { ProtobufService } from "../service/protobuf.js";
import { UsageError } from "./gen.js";

/** `kitewire call --help`. */
export const CALL_USAGE = `usage: kitewire call [-I DIR]... -f FILE... -m SERVICE/METHOD [-d JSON] [options] HOST:PORT
       kitewire call --list [-I DIR]... -f FILE...

Call one method of a service described by a .thrift or .proto file, with the arguments
given as JSON, and print the reply as JSON on stdout. A Thrift method's arguments are one
object keyed by parameter name ({"id": 1, "base": {...}}); a Protobuf method's, its
request message in ProtoJSON. Over gRPC (--transport grpc) a server stream prints one
JSON line per message, and a client or bidi stream takes -d as a JSON array of messages.
A declared exception is printed as
{"exception": TYPE, "value": {...}} and the command exits 1; any other failure is printed
on stderr with its code (TIMEOUT, CONNECTION, UNKNOWN_METHOD, ...) and exits 1.

options:
  -f, --file FILE        the IDL (repeatable; .thrift or .proto)
  -I, --include DIR      also look for includes and imports in DIR (repeatable)
  -m, --method S/M       the service and method; S alone may be left out when the IDL
                         has one service
  -d, --data JSON        the arguments (default {})
  --transport T          ttheader (default), framed, buffered or theader (Apache); for Protobuf,
                         kitex-protobuf (default), ttheader or grpc
  --protocol P           binary (default) or compact (Thrift)
  --meta K=V             metainfo sent with the call (TTHeader; gRPC metadata; repeatable)
  --timeout D            give up after D: 500ms, 2s, 1m (default 5s)
  --list                 print the services and their methods, and exit
  -h, --help             print this and exit`;

interface CallArgs {
  files: string[];
  includeDirs: string[];
  method?: string;
  data: string;
  transport?: string;
  protocol: "binary" | "compact";
  meta: Record<string, string>;
  timeoutMs: number;
  list: boolean;
  address?: string;
}

function parseArgs(args: string[]): CallArgs {
  const out: CallArgs = { files: [], includeDirs: [], data: "{}", protocol: "binary", meta: {}, timeoutMs: 5000, list: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "-f": case "--file": out.files.push(value()); break;
      case "-I": case "--include": out.includeDirs.push(value()); break;
      case "-m": case "--method": out.method = value(); break;
      case "-d": case "--data": out.data = value(); break;
      case "--transport": out.transport = value(); break;
      case "--protocol": {
        const p = value();
        if (p !== "binary" && p !== "compact") throw new UsageError(`--protocol must be binary or compact, not ${JSON.stringify(p)}`);
        out.protocol = p;
        break;
      }
      case "--meta": {
        const kv = value();
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new UsageError(`--meta takes KEY=VALUE, not ${JSON.stringify(kv)}`);
        out.meta[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case "--timeout": out.timeoutMs = parseDuration(value()); break;
      case "--list": out.list = true; break;
      default:
        if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
        if (out.address !== undefined) throw new UsageError(`one HOST:PORT only (got ${out.address} and ${arg})`);
        out.address = arg;
    }
  }
  if (out.files.length === 0) throw new UsageError("give the IDL with -f FILE");
  return out;
}

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (m === null) throw new UsageError(`--timeout takes a duration such as 500ms, 2s or 1m, not ${JSON.stringify(text)}`);
  const n = Number(m[1]) * (m[2] === "m" ? 60_000 : m[2] === "ms" ? 1 : 1000);
  if (n <= 0) throw new UsageError("--timeout must be positive");
  return n;
}

function transportOf(idl: Idl, args: CallArgs): Transport {
  if (idl.syntax === "proto") {
    const t = args.transport ?? "kitex-protobuf";
    if (t === "kitex-protobuf") return { framing: "kitex-protobuf", protocol: "protobuf" };
    if (t === "ttheader") return { framing: "ttheader-framed", protocol: "protobuf" };
    throw new UsageError(`--transport for Protobuf must be kitex-protobuf, ttheader or grpc, not ${JSON.stringify(t)}`);
  }
  const t = args.transport ?? "ttheader";
  if (t !== "ttheader" && t !== "framed" && t !== "buffered" && t !== "theader") {
    throw new UsageError(`--transport must be ttheader, framed, buffered or theader, not ${JSON.stringify(t)}`);
  }
  return { framing: t as Framing, protocol: args.protocol };
}

/** Runs `kitewire call`; resolves to the exit code. */
export async function runCall(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const args = parseArgs(argv);
  await init();
  const readFile = (path: string): string | undefined => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  };
  const idl = loadIdl(args.files, { readFile, includeDirs: args.includeDirs });
  if (args.list) {
    out.write(listing(idl));
    return 0;
  }
  if (args.method === undefined) throw new UsageError("give the method with -m SERVICE/METHOD");
  if (args.address === undefined) throw new UsageError("give the server's HOST:PORT");
  const slash = args.method.lastIndexOf("/");
  let service = args.method.slice(0, Math.max(slash, 0));
  const method = args.method.slice(slash + 1);
  if (service === "") {
    if (idl.services.size !== 1) throw new UsageError(`the IDL has ${idl.services.size} services: give -m SERVICE/METHOD`);
    service = [...idl.services.keys()][0]!;
  }
  const table = serviceTable(idl, service);
  if (!Object.hasOwn(table.methods, method)) throw unknownMethod(table.name, method, Object.keys(table.methods));
  if (args.transport === "grpc") {
    if (idl.syntax !== "proto") throw new UsageError("--transport grpc is for Protobuf services");
    return callGrpc(idl, table.name, method, args, args.address, out);
  }
  const transport = transportOf(idl, args);
  const client = createGenericClient({
    idl, service, kind: "json", transport,
    connection: nodeTransport({ address: args.address, transport, connectTimeoutMs: args.timeoutMs }),
  });
  try {
    const reply = await client.call(method, args.data, { timeoutMs: args.timeoutMs, metadata: args.meta });
    out.write(`${reply as string}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ThriftGenericException) {
      const value: Record<string, unknown> = { ...error };
      if (error.message !== "") value["message"] = error.message;
      out.write(`${JSON.stringify({ exception: error.typeName, value })}\n`);
      return 1;
    }
    throw error instanceof KitewireError ? error : KitewireError.from(error, ErrorCode.REMOTE);
  } finally {
    await client.close();
  }
}

/** One call over gRPC, any of the four shapes: ProtoJSON in, one JSON line per reply out. */
async function callGrpc(idl: ProtoIdl, service: string, method: string, args: CallArgs, address: string, out: NodeJS.WritableStream): Promise<number> {
  const s = idl.services.get(service) as ProtobufService;
  const m = s.methods[method]!;
  const typeRegistry = protoRegistry(idl);
  const data = parseGenericJson(args.data);
  const streamsIn = m.kind === "client_streaming" || m.kind === "bidi_streaming";
  if (streamsIn && !Array.isArray(data)) throw new UsageError(`${method} takes a stream of messages: give -d a JSON array`);
  const messages = streamsIn ? (data as unknown[]).map((d) => fromJson(m.input, d as never, { typeRegistry })) : [];
  const input = streamsIn ? (async function* () { yield* messages; })() : fromJson(m.input, data, { typeRegistry });
  const print = (reply: unknown) => out.write(`${toJsonString(m.output, reply, { typeRegistry })}\n`);
  const client = createGrpcClient<Record<string, (input: unknown, options: GrpcCallOptions) => Promise<unknown> | AsyncIterable<unknown>>>(
    s, { address, grpc: { connectTimeoutMs: args.timeoutMs } });
  try {
    const reply = client[m.name]!(input, { timeoutMs: args.timeoutMs, metadata: args.meta });
    if (m.kind === "server_streaming" || m.kind === "bidi_streaming") {
      for await (const r of reply as AsyncIterable<unknown>) print(r);
    } else {
      print(await reply);
    }
    return 0;
  } finally {
    await client.close();
  }
}

/** Every service of `idl` with its methods' signatures. */
function listing(idl: Idl): string {
  const lines: string[] = [];
  if (idl.syntax === "proto") {
    for (const s of idl.services.values()) {
      lines.push(s.name);
      for (const m of Object.values(s.methods)) {
        const stream = (on: boolean) => (on ? "stream " : "");
        lines.push(`  ${m.name}(${stream(m.kind === "client_streaming" || m.kind === "bidi_streaming")}${m.input.typeName}) returns ` +
          `(${stream(m.kind === "server_streaming" || m.kind === "bidi_streaming")}${m.output.typeName})`);
      }
    }
  } else {
    const params = (fields: readonly ThriftFieldDescriptor[]) =>
      fields.map((f) => `${f.id}: ${f.requiredness === "default" ? "" : f.requiredness + " "}${shape(f.type)} ${f.name}`).join(", ");
    for (const s of idl.services.values()) {
      lines.push(s.name);
      for (const m of s.methods.values()) {
        const throws = m.exceptions.length > 0 ? ` throws (${params(m.exceptions)})` : "";
        lines.push(`  ${m.oneway ? "oneway " : ""}${m.result === null ? "void" : shape(m.result)} ${m.name}(${params(m.params)})${throws}`);
      }
    }
  }
  return lines.length === 0 ? "(no services)\n" : lines.join("\n") + "\n";
}

/** A type as the IDL writes it, typedefs followed. */
function shape(t: ThriftTypeDescriptor): string {
  switch (t.kind) {
    case "enum": return t.enum.name;
    case "struct": return t.struct.name;
    case "list": case "set": return `${t.kind}<${shape(t.element)}>`;
    case "map": return `map<${shape(t.key)}, ${shape(t.value)}>`;
    default: return t.kind;
  }
}
