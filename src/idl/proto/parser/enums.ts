/**
 * Enums (`enum Name { VALUE = 1 [opts]; option ...; reserved ...; }`) and services
 * (`service Name { rpc M (stream In) returns (stream Out) { option ...; } }`).
 */
import type { ProtoEnum, ProtoEnumValue, ProtoMethod, ProtoService, ProtoType } from "../ast.js";
import { MAX_ENUM_VALUE, SCALAR_TYPES } from "../names.js";
import type { Cursor } from "./cursor.js";
import { parseType, withDoc } from "./fields.js";
import { parseBlock, parseReserved } from "./blocks.js";
import { parseBracketOptions, parseOptionStatement } from "./options.js";

/** `enum Name { ... }` (the `enum` keyword is current); the enum goes into `into`. */
export function parseEnum(c: Cursor, into: ProtoEnum[]): void {
  const keyword = c.next();
  const name = c.expectIdent("enum name");
  const def: ProtoEnum = {
    kind: "enum", name: name.text, fullName: "", values: [], reserved: { ranges: [], names: [] }, options: [],
    closed: c.syntax === "proto2", span: name.span, nameSpan: name.span,
  };
  into.push(withDoc(def, keyword));
  try {
    parseBlock(c, () => {
      // A value may be named `option` or `reserved` (`option = 1;`): the `=` tells.
      if (c.atIdent("option") && !c.atPunct("=", 1)) parseOptionStatement(c, def.options);
      else if (c.atIdent("reserved") && !c.atPunct("=", 1)) parseReserved(c, def.reserved, MAX_ENUM_VALUE);
      else parseEnumValue(c, def);
    });
  } finally {
    def.span = c.spanFrom(keyword);
  }
}

function parseEnumValue(c: Cursor, def: ProtoEnum): void {
  const name = c.expectIdent("enum value name");
  c.expectPunct("=");
  const negative = c.acceptPunct("-") !== undefined;
  const t = c.peek();
  if (t.kind !== "int") c.fail(negative ? "number after '-'" : "enum value number");
  c.next();
  const magnitude = t.value as bigint;
  const value: ProtoEnumValue = { name: name.text, number: Number(negative ? -magnitude : magnitude), options: [], span: name.span };
  def.values.push(withDoc(value, name));
  try {
    const min = -BigInt(MAX_ENUM_VALUE) - 1n;
    const big = negative ? -magnitude : magnitude;
    if (big > BigInt(MAX_ENUM_VALUE) || big < min) c.error(c.spanFrom(t), `enum value ${big} is out of range for int32`);
    value.options = parseBracketOptions(c).map((o) => o.option);
    c.expectSemicolon();
  } finally {
    value.span = c.spanFrom(name);
  }
}

/** `service Name { ... }` (the `service` keyword is current). */
export function parseService(c: Cursor, into: ProtoService[]): void {
  const keyword = c.next();
  const name = c.expectIdent("service name");
  const def: ProtoService = { kind: "service", name: name.text, fullName: "", methods: [], options: [], span: name.span, nameSpan: name.span };
  into.push(withDoc(def, keyword));
  try {
    parseBlock(c, () => {
      if (c.atIdent("option")) parseOptionStatement(c, def.options);
      else if (c.atIdent("rpc")) parseMethod(c, def);
      else c.fail("'rpc', 'option' or '}'");
    });
  } finally {
    def.span = c.spanFrom(keyword);
  }
}

/** `( [stream] Type )`; `stream` is the keyword only when a type name follows it. */
function parseMethodType(c: Cursor): { type: ProtoType & { kind: "named" }; stream: boolean } {
  c.expectPunct("(");
  const stream = c.atIdent("stream") && (c.peek(1).kind === "ident" || c.atPunct(".", 1)) ? c.next() !== undefined : false;
  if (SCALAR_TYPES.has(c.peek().text)) c.fail("message type");
  const type = parseType(c, "message type") as ProtoType & { kind: "named" };
  c.expectPunct(")");
  return { type, stream };
}

function parseMethod(c: Cursor, service: ProtoService): void {
  const keyword = c.next();
  const name = c.expectIdent("method name");
  const input = parseMethodType(c);
  if (!c.acceptIdent("returns")) c.fail("'returns'");
  const output = parseMethodType(c);
  const method: ProtoMethod = {
    name: name.text, input: input.type, output: output.type, clientStreaming: input.stream, serverStreaming: output.stream,
    options: [], span: name.span, nameSpan: name.span,
  };
  service.methods.push(withDoc(method, keyword));
  try {
    if (c.atPunct("{")) {
      parseBlock(c, () => {
        if (c.atIdent("option")) parseOptionStatement(c, method.options);
        else c.fail("'option' or '}'");
      });
      c.acceptPunct(";"); // `rpc M(A) returns (B) {};` is common
    } else {
      c.expectSemicolon();
    }
  } finally {
    method.span = c.spanFrom(keyword);
  }
}
