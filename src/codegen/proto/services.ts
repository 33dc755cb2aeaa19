/** Protobuf services: client and handler interfaces for all four call shapes, and the method table. */
import type { ProtoMethod, ProtoService } from "../../idl/proto/ast.js";
import type { Code } from "../code.js";
import { typeName, type ProtoContext } from "./context.js";

function methodName(m: ProtoMethod): string {
  return m.name.charAt(0).toLowerCase() + m.name.slice(1);
}

function kind(m: ProtoMethod): string {
  if (m.clientStreaming) return m.serverStreaming ? "bidi_streaming" : "client_streaming";
  return m.serverStreaming ? "server_streaming" : "unary";
}

export function emitService(ctx: ProtoContext, code: Code, s: ProtoService): void {
  const name = typeName(s.fullName, ctx.file.package);
  const io = (m: ProtoMethod) => ({ input: ctx.ref(m.input.target!), output: ctx.ref(m.output.target!) });
  code.doc(s.doc ?? `The client of ${s.fullName}.`);
  code.block(`export interface ${name}Client`, () => {
    for (const m of s.methods) {
      const { input, output } = io(m);
      const request = m.clientStreaming ? `requests: AsyncIterable<${input}>` : `request: ${input}`;
      const response = m.serverStreaming ? `AsyncIterable<${output}>` : `Promise<${output}>`;
      code.doc(m.doc);
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
      code.doc(m.doc);
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
        code.line(`${methodName(m)}: { name: ${JSON.stringify(m.name)}, kind: ${JSON.stringify(kind(m))}, input: ${input}, output: ${output} },`);
      }
    }, "},");
  }, "};");
}
