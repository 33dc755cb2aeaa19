/**
 * HTTP routes of Thrift methods from the annotations Kitex and Hertz users write: a
 * method's `(api.get = "/user/:id")` (also api.post, api.put, api.delete, api.patch) and,
 * on the fields of its request, `(api.path = "id")`, `(api.query = "q")`,
 * `(api.header = "X-Token")`, `(api.cookie = "sid")`, `(api.body = "name")` and
 * `(api.raw_body = "")`. The request is the method's one struct parameter when it has one
 * (Kitex's convention), else its parameters. A field without an annotation is read from
 * the JSON body by its name, or, on a request without a body, from the query. On the
 * reply struct, `(api.header = "X-Total")` fields become headers and `(api.http_code = "")`
 * sets the status; the rest is the JSON body (a void method answers 204).
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import type { JsonObject, JsonValue } from "../../codec/protobuf/json/types.js";
import type { ThriftFieldDescriptor, ThriftTypeDescriptor } from "../../generic/thrift/descriptor.js";
import type { GatewayReply, GatewayRequest } from "../exchange.js";
import { GatewayFailure } from "../failure.js";
import type { GatewayMethod } from "../methods.js";
import type { GatewayOptions } from "../options.js";
import { parsePattern, type HttpRoute } from "./router.js";
import { BODY_VERBS, cookie, isJsonObject, jsonBody, queryValues, textBody, textToJson, type ScalarKind } from "./values.js";

const VERBS = ["get", "post", "put", "delete", "patch"] as const;

/** The routes a Thrift method's annotations declare (none without `api.<verb>`). */
export function thriftRoutes(method: GatewayMethod, options: Readonly<GatewayOptions>): HttpRoute[] {
  const m = method.thrift!;
  const ann = m.annotations ?? {};
  const where = `${method.service}.${method.name}`;
  const routes: HttpRoute[] = [];
  const single = m.params.length === 1 && m.params[0]!.type.kind === "struct" ? m.params[0]! : undefined;
  const fields = single !== undefined ? (single.type as { struct: { fields: readonly ThriftFieldDescriptor[] } }).struct.fields : m.params;
  const resultFields = m.result?.kind === "struct" ? m.result.struct.fields : [];
  const headerFields = resultFields.filter((f) => f.annotations?.["api.header"] !== undefined);
  const codeField = resultFields.find((f) => f.annotations?.["api.http_code"] !== undefined);
  for (const verb of VERBS) {
    const path = ann[`api.${verb}`];
    if (path === undefined) continue;
    const pattern = parsePattern(path, where);
    const VERB = verb.toUpperCase();
    const vars = new Set(pattern.items.flatMap((i) => ("name" in i ? [i.name] : [])));
    for (const f of fields) {
      const p = f.annotations?.["api.path"];
      if (p !== undefined && !vars.has(p || f.name)) {
        throw new KitewireError(ErrorCode.INVALID_VALUE, `${where}: field ${f.name} reads path variable ${p || f.name}, which ${path} does not have`);
      }
    }
    routes.push({
      verb: VERB,
      pattern,
      method,
      async bind(req, pathVars) {
        const obj: JsonObject = {};
        const query = queryValues(req.query);
        const hasBody = BODY_VERBS.has(VERB);
        let body: JsonValue | undefined;
        let bodyRead = false;
        const readBody = async (): Promise<JsonObject | undefined> => {
          if (!bodyRead) {
            bodyRead = true;
            body = await jsonBody(req, options.maxBodyBytes);
            if (body !== undefined && !isJsonObject(body)) throw new GatewayFailure("invalid_argument", "the JSON body must be an object");
          }
          return body as JsonObject | undefined;
        };
        for (const f of fields) {
          const a = f.annotations ?? {};
          const value = await fieldValue(f, a, req, pathVars, query, hasBody, readBody, options);
          if (value !== undefined) obj[f.name] = value;
        }
        return method.argsFromJson(single !== undefined ? { [single.name]: obj } : obj);
      },
      reply(result) {
        return thriftReply(method.resultToJsonValue(result), m.result === null, headerFields, codeField);
      },
    });
  }
  return routes;
}

type Annotations = Readonly<Record<string, string>>;

async function fieldValue(f: ThriftFieldDescriptor, a: Annotations, req: GatewayRequest, vars: ReadonlyMap<string, string>,
  query: Map<string, string[]>, hasBody: boolean, readBody: () => Promise<JsonObject | undefined>,
  options: Readonly<GatewayOptions>): Promise<JsonValue | undefined> {
  const name = (key: string): string => a[key] || f.name;
  if (a["api.path"] !== undefined) {
    const v = vars.get(name("api.path"));
    return v === undefined ? undefined : textToJson(v, kindOf(f.type), `path variable ${JSON.stringify(name("api.path"))}`);
  }
  if (a["api.query"] !== undefined) return fromQuery(f, query, name("api.query"));
  if (a["api.header"] !== undefined) {
    const v = req.header(name("api.header").toLowerCase());
    return v === null ? undefined : textToJson(v, kindOf(f.type), `header ${name("api.header")}`);
  }
  if (a["api.cookie"] !== undefined) {
    const v = cookie(req, name("api.cookie"));
    return v === null ? undefined : textToJson(v, kindOf(f.type), `cookie ${name("api.cookie")}`);
  }
  if (a["api.raw_body"] !== undefined) {
    const text = await textBody(req, options.maxBodyBytes);
    return textToJson(text, f.type.kind === "binary" ? "bytes" : "string", "body");
  }
  if (a["api.body"] !== undefined || hasBody) return (await readBody())?.[name("api.body")];
  return fromQuery(f, query, f.name);
}

function fromQuery(f: ThriftFieldDescriptor, query: Map<string, string[]>, key: string): JsonValue | undefined {
  const values = query.get(key);
  if (values === undefined) return undefined;
  const what = `query parameter ${JSON.stringify(key)}`;
  if (f.type.kind === "list" || f.type.kind === "set") {
    const kind = kindOf(f.type.element);
    return values.map((v) => textToJson(v, kind, what));
  }
  return textToJson(values[values.length - 1]!, kindOf(f.type), what);
}

function kindOf(t: ThriftTypeDescriptor): ScalarKind {
  switch (t.kind) {
    case "bool": return "bool";
    case "byte": case "i16": case "i32": return "int";
    case "i64": return "int64";
    case "double": return "float";
    case "string": case "uuid": return "string";
    case "binary": return "bytes";
    case "enum": return "enum";
    default: return "json";
  }
}

function thriftReply(json: JsonValue, isVoid: boolean, headerFields: readonly ThriftFieldDescriptor[],
  codeField: ThriftFieldDescriptor | undefined): GatewayReply {
  if (isVoid) return { status: 204, headers: {}, body: "" };
  const headers: Record<string, string> = { "content-type": "application/json" };
  let status = 200;
  if (isJsonObject(json) && (headerFields.length > 0 || codeField !== undefined)) {
    json = { ...json };
    for (const f of headerFields) {
      const v = json[f.name];
      if (v !== undefined && v !== null) headers[(f.annotations!["api.header"] || f.name).toLowerCase()] = typeof v === "string" ? v : JSON.stringify(v);
      delete json[f.name];
    }
    if (codeField !== undefined) {
      const code = json[codeField.name];
      if (typeof code === "number" && code >= 200 && code <= 599) status = code;
      delete json[codeField.name];
    }
  }
  return { status, headers, body: JSON.stringify(json) };
}
