/** Protobuf services: client and handler interfaces for all four call shapes, and the method table. */
import type { ProtoMethod, ProtoService } from "../../idl/proto/ast.js";
import type { Code } from "../code.js";
import { typeName, type ProtoContext } from "./context.js";

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * The TypeScript name of each method: lowerCamelCase (`GetUser` → `getUser`), except that
 * methods whose names differ only in the case of the first letter (`Get` and `get`, which
 * protoc accepts) keep their names as written, which are distinct: lowering them would
 * give one property two methods.
 */
function methodNames(s: ProtoService): Map<ProtoMethod, string> {
  const count = new Map<string, number>();
  for (const m of s.methods) count.set(lowerFirst(m.name), (count.get(lowerFirst(m.name)) ?? 0) + 1);
  return new Map(s.methods.map((m) => [m, count.get(lowerFirst(m.name))! > 1 ? m.name : lowerFirst(m.name)]));
}

function kind(m: ProtoMethod): string {
  if (m.clientStreaming) return m.serverStreaming ? "bidi_streaming" : "client_streaming";
  return m.serverStreaming ? "server_streaming" : "unary";
}

export function emitService(ctx: ProtoContext, code: Code, s: ProtoService): void {
  const name = typeName(s.fullName, ctx.file.package);
  const names = methodNames(s);
  const methodName = (m: ProtoMethod) => names.get(m)!;
  const io = (m: ProtoMethod) => ({ input: ctx.ref(m.input.target!), output: ctx.ref(m.output.target!) });
  code.doc(s.doc ?? `The client of ${s.fullName}.`);
  code.block(`export interface ${name}Client`, () => {
    for (const m of s.methods) {
      const { input, output } = io(m);
      const request = m.clientStreaming ? `requests: AsyncIterable<${input}>` : `request: ${input}`;
      const response = m.serverStreaming ? `AsyncIterable<${output}>` : `Promise<${output}>`;
      code.doc(streamingNote(m.doc, m, "A client made by `createClient` (Kitex Protobuf, TTHeader) fails it with INVALID_STATE."));
      code.line(`${methodName(m)}(${request}, options?: ${ctx.useType("CallOptions")}): ${response};`);
    }
  });
  code.line("");
  code.line(`/** What a server implements to serve ${s.fullName}. */`);
  code.block(`export interface ${name}Handler`, () => {
    for (const m of s.methods) {
      const { input, output } = io(m);
      const request = m.clientStreaming ? `requests: AsyncIterable<${input}>` : `request: ${input}`;
      const response = m.serverStreaming ? `AsyncIterable<${output}>` : `${output} | Promise<${output}>`;
      code.doc(streamingNote(m.doc, m, "Served over gRPC only (the same port's HTTP/2 connections)."));
      code.line(`${methodName(m)}(${request}, context: ${ctx.useType("CallContext")}): ${response};`);
    }
  });
  code.line("");
  code.line(`/** The method table of ${s.fullName}. */`);
  code.block(`export const ${name}: ${ctx.useType("ProtobufService")} =`, () => {
    code.line(`name: ${JSON.stringify(s.fullName)},`);
    code.line(`proto: ${JSON.stringify(ctx.file.importPath ?? ctx.file.file)},`);
    code.block("methods:", () => {
      for (const m of s.methods) {
        const { input, output } = io(m);
        const mark = idempotent(m) ? ", idempotent: true" : "";
        code.line(`${methodName(m)}: { name: ${JSON.stringify(m.name)}, kind: ${JSON.stringify(kind(m))}${mark}, input: ${input}, output: ${output} },`);
      }
    }, "},");
  }, "};");
}

/** `option idempotency_level = IDEMPOTENT` or `NO_SIDE_EFFECTS` (descriptor.proto's MethodOptions field 34). */
function idempotent(m: ProtoMethod): boolean {
  return m.options.some((o) => o.name === "idempotency_level" && o.value.kind === "identifier" &&
    (o.value.name === "IDEMPOTENT" || o.value.name === "NO_SIDE_EFFECTS"));
}

/** A streaming method's doc comment says that it needs gRPC (`createGrpcClient`, or a listener's HTTP/2 side). */
function streamingNote(doc: string | undefined, m: ProtoMethod, what: string): string | undefined {
  if (!m.clientStreaming && !m.serverStreaming) return doc;
  const note = `Streaming: carried by gRPC only (\`createGrpcClient\`). ${what}`;
  return doc ? `${doc.trim()}\n\n${note}` : note;
}
