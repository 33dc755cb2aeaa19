/**
 * HTTP routes of Protobuf methods from `option (google.api.http) = { post: "/v1/search"
 * body: "*" }` (google/api/http.proto): the verb fields get, put, post, delete, patch and
 * custom { kind path }, `body` ("*": the whole request; a field name: that field; absent:
 * no body), `response_body`, and `additional_bindings`. Path variables (`{name}`,
 * `{book.id}`, `{name=shelves/*}`) set the request's fields by path; query parameters set
 * any other field by its proto or JSON name (`?page_size=10&filter.kind=a`, repeated
 * fields by repeating the key).
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import type { ProtobufField, ProtobufMessageCodec } from "../../codec/protobuf/message.js";
import type { JsonObject } from "../../codec/protobuf/json/types.js";
import type { ProtoOption } from "../../idl/proto/ast.js";
import { GatewayFailure } from "../failure.js";
import type { GatewayMethod } from "../methods.js";
import type { GatewayOptions } from "../options.js";
import { parsePattern, type HttpRoute } from "./router.js";
import { isJsonObject, jsonBody, queryValues, setPath, textToJson, type ScalarKind } from "./values.js";

/** One binding of an HttpRule. */
interface HttpRule {
  verb: string;
  path: string;
  body?: string;
  responseBody?: string;
}

/** The routes a Protobuf method's `(google.api.http)` option declares (none without it). */
export function protoRoutes(method: GatewayMethod, methodOptions: readonly ProtoOption[] | undefined,
  options: Readonly<GatewayOptions>): HttpRoute[] {
  const option = methodOptions?.find((o) => o.extension === "google.api.http" || o.name === "(google.api.http)");
  if (option === undefined) return [];
  const where = `${method.service}.${method.name}`;
  if (option.value.kind !== "aggregate") throw new KitewireError(ErrorCode.INVALID_VALUE, `${where}: (google.api.http) must be a message value`);
  const rules = httpRules(parseTextMessage(option.value.text, where), where);
  const input = method.proto!.input;
  const output = method.proto!.output;
  return rules.map((rule): HttpRoute => {
    const pattern = parsePattern(rule.path, where);
    const bound = new Set(pattern.items.flatMap((i) => ("name" in i ? [i.name] : [])));
    if (rule.body !== undefined && rule.body !== "*") bound.add(rule.body);
    const responseField = rule.responseBody === undefined ? undefined : output.fields.find((f) => f.protoName === rule.responseBody);
    if (rule.responseBody !== undefined && responseField === undefined) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `${where}: response_body ${rule.responseBody} is not a field of ${output.typeName}`);
    }
    return {
      verb: rule.verb,
      pattern,
      method,
      async bind(req, vars) {
        let obj: JsonObject = {};
        if (rule.body !== undefined) {
          const body = await jsonBody(req, options.maxBodyBytes);
          if (rule.body === "*") {
            if (body !== undefined && !isJsonObject(body)) throw new GatewayFailure("invalid_argument", "the JSON body must be an object");
            obj = (body as JsonObject | undefined) ?? {};
          } else if (body !== undefined) {
            obj[rule.body] = body;
          }
        }
        for (const [name, text] of vars) {
          const path = name.split(".");
          setPath(obj, path, textToJson(text, kindOf(fieldAt(input, path, where)), `path variable ${JSON.stringify(name)}`));
        }
        if (rule.body !== "*") {
          for (const [key, values] of queryValues(req.query)) {
            if (bound.has(key)) continue;
            const path = key.split(".");
            const field = fieldAt(input, path, undefined);
            if (field === undefined) {
              if (options.ignoreUnknownFields) continue;
              throw new GatewayFailure("invalid_argument", `query parameter ${JSON.stringify(key)} names no field of ${input.typeName}`);
            }
            const kind = kindOf(field);
            const what = `query parameter ${JSON.stringify(key)}`;
            setPath(obj, path, field.repeated ? values.map((v) => textToJson(v, kind, what)) : textToJson(values[values.length - 1]!, kind, what));
          }
        }
        return method.argsFromJson(obj);
      },
      reply(result) {
        let json = method.resultToJsonValue(result);
        if (responseField !== undefined && isJsonObject(json)) json = json[responseField.jsonName] ?? null;
        return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(json) };
      },
    };
  });
}

/** The field at a dotted path of proto or JSON names (throws when `where` is given and there is none). */
function fieldAt(codec: ProtobufMessageCodec<unknown>, path: readonly string[], where: string | undefined): ProtobufField | undefined {
  let c: ProtobufMessageCodec<unknown> | undefined = codec;
  let field: ProtobufField | undefined;
  for (const name of path) {
    field = c?.fields.find((f) => f.protoName === name || f.jsonName === name);
    if (field === undefined) {
      if (where === undefined) return undefined;
      throw new KitewireError(ErrorCode.INVALID_VALUE, `${where}: ${path.join(".")} is not a field of ${codec.typeName}`);
    }
    c = field.type.kind === "message" ? field.type.type() : undefined;
  }
  return field;
}

function kindOf(f: ProtobufField | undefined): ScalarKind {
  if (f === undefined) return "string";
  if (f.type.kind === "enum") return "enum";
  if (f.type.kind !== "scalar") return "json";
  switch (f.type.type) {
    case "bool": return "bool";
    case "int32": case "sint32": case "sfixed32": case "uint32": case "fixed32": return "int";
    case "int64": case "sint64": case "sfixed64": case "uint64": case "fixed64": return "int64";
    case "float": case "double": return "float";
    case "bytes": return "string"; // ProtoJSON reads bytes as base64 text, which is what a URL carries
    default: return "string";
  }
}

type TextValue = string | TextMessage;
interface TextMessage {
  [key: string]: TextValue[];
}

/** The bindings of an HttpRule message (its own and its additional_bindings). */
function httpRules(msg: TextMessage, where: string): HttpRule[] {
  const one = (m: TextMessage): HttpRule => {
    const str = (k: string): string | undefined => {
      const v = m[k]?.[0];
      return typeof v === "string" ? v : undefined;
    };
    let rule: HttpRule | undefined;
    for (const verb of ["get", "put", "post", "delete", "patch"]) {
      const path = str(verb);
      if (path !== undefined) rule = { verb: verb.toUpperCase(), path };
    }
    const custom = m["custom"]?.[0];
    if (typeof custom === "object") {
      const kind = custom["kind"]?.[0];
      const path = custom["path"]?.[0];
      if (typeof kind === "string" && typeof path === "string") rule = { verb: kind.toUpperCase(), path };
    }
    if (rule === undefined) throw new KitewireError(ErrorCode.INVALID_VALUE, `${where}: (google.api.http) names no verb and path`);
    const body = str("body");
    if (body !== undefined && body !== "") rule.body = body;
    const responseBody = str("response_body");
    if (responseBody !== undefined && responseBody !== "") rule.responseBody = responseBody;
    return rule;
  };
  const rules = [one(msg)];
  for (const extra of msg["additional_bindings"] ?? []) if (typeof extra === "object") rules.push(one(extra));
  return rules;
}

/** Parses the text-format message of an option value (fields of strings and messages, which is all HttpRule has). */
export function parseTextMessage(text: string, where: string): TextMessage {
  let i = 0;
  const fail = (what: string): never => {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `${where}: (google.api.http) value: ${what} at character ${i} of ${JSON.stringify(text)}`);
  };
  const skip = (): void => {
    for (;;) {
      while (i < text.length && /[\s,;]/.test(text[i]!)) i++;
      if (text[i] !== "#") return;
      while (i < text.length && text[i] !== "\n") i++;
    }
  };
  const message = (close: string | undefined): TextMessage => {
    const out: TextMessage = {};
    for (;;) {
      skip();
      if (i >= text.length) {
        if (close !== undefined) fail(`expected ${close}`);
        return out;
      }
      if (text[i] === close) {
        i++;
        return out;
      }
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      if (m === null) return fail("expected a field name");
      const key = m[0];
      i += key.length;
      skip();
      if (text[i] === ":") {
        i++;
        skip();
      }
      let value: TextValue;
      if (text[i] === "{" || text[i] === "<") {
        const end = text[i] === "{" ? "}" : ">";
        i++;
        value = message(end);
      } else if (text[i] === '"' || text[i] === "'") {
        value = "";
        while (text[i] === '"' || text[i] === "'") {
          value += stringLiteral();
          skip();
        }
      } else {
        const word = /^[^\s,;{}<>]+/.exec(text.slice(i));
        if (word === null) return fail("expected a value");
        value = word[0];
        i += value.length;
      }
      (out[key] ??= []).push(value);
    }
  };
  const stringLiteral = (): string => {
    const quote = text[i++]!;
    let out = "";
    while (i < text.length && text[i] !== quote) {
      if (text[i] === "\\") {
        const c = text[++i];
        out += c === "n" ? "\n" : c === "t" ? "\t" : c ?? "";
        i++;
      } else {
        out += text[i++];
      }
    }
    if (i >= text.length) fail("unclosed string");
    i++;
    return out;
  };
  const body = text.trim();
  if (body.startsWith("{")) {
    i = text.indexOf("{") + 1;
    return message("}");
  }
  return message(undefined);
}
