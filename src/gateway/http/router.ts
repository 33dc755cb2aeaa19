/**
 * HTTP-mapped routes: a verb and a path pattern per method, matched segment by segment.
 * A pattern's segments are literals, variables (`:id` or `{id}`, Hertz style; `{id=a/*}`
 * and `{path=**}`, google.api.http style) or a catch-all (`*rest`). A literal segment is
 * preferred over a variable where both match.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import type { GatewayReply, GatewayRequest } from "../exchange.js";
import type { GatewayMethod } from "../methods.js";

/** One segment of a pattern: a literal, `*` (any one segment), or `**` (the rest, possibly empty). */
type Part = { kind: "literal"; text: string } | { kind: "one" } | { kind: "rest" };

/** A variable: the name it binds and the parts it spans. */
interface Variable {
  name: string;
  parts: Part[];
}

export interface Pattern {
  /** The pattern as written, for messages. */
  readonly text: string;
  readonly items: readonly (Part | Variable)[];
}

/** What a matched route does with a request. */
export interface HttpRoute {
  readonly verb: string;
  readonly pattern: Pattern;
  readonly method: GatewayMethod;
  /** The request message (map-generic arguments) from the path variables, the query, the headers and the body. */
  bind(req: GatewayRequest, vars: ReadonlyMap<string, string>): Promise<unknown>;
  /** The HTTP reply of a result. */
  reply(result: unknown): GatewayReply;
}

/** Parses a path pattern; throws INVALID_VALUE naming the method for a malformed one. */
export function parsePattern(text: string, where: string): Pattern {
  if (!text.startsWith("/")) throw new KitewireError(ErrorCode.INVALID_VALUE, `${where}: HTTP path ${JSON.stringify(text)} must start with /`);
  const items: (Part | Variable)[] = [];
  const raw = text.slice(1).split("/");
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i]!;
    if (s.startsWith("{")) {
      // {name} or {name=pattern/with/slashes}: the pattern may span several raw segments.
      let spec = s;
      while (!spec.endsWith("}") && i + 1 < raw.length) spec += "/" + raw[++i];
      if (!spec.endsWith("}")) throw new KitewireError(ErrorCode.INVALID_VALUE, `${where}: unclosed { in ${JSON.stringify(text)}`);
      const body = spec.slice(1, -1);
      const eq = body.indexOf("=");
      const name = eq < 0 ? body : body.slice(0, eq);
      const parts: Part[] = eq < 0 ? [{ kind: "one" }] : body.slice(eq + 1).split("/").map(partOf);
      items.push({ name, parts });
    } else if (s.startsWith(":") && s.length > 1) {
      items.push({ name: s.slice(1), parts: [{ kind: "one" }] });
    } else if (s.startsWith("*") && s.length > 1) {
      items.push({ name: s.slice(1), parts: [{ kind: "rest" }] });
    } else {
      items.push(partOf(s));
    }
  }
  return { text, items };
}

function partOf(s: string): Part {
  return s === "*" ? { kind: "one" } : s === "**" ? { kind: "rest" } : { kind: "literal", text: s };
}

/** The variables of `path` (split on /, percent-decoded per segment) if it matches `pattern`. */
export function matchPattern(pattern: Pattern, segments: readonly string[]): Map<string, string> | undefined {
  const vars = new Map<string, string>();
  let at = 0;
  const matchParts = (parts: readonly Part[]): boolean => {
    for (const p of parts) {
      if (p.kind === "rest") {
        at = segments.length;
        return true;
      }
      if (at >= segments.length) return false;
      if (p.kind === "literal" && segments[at] !== p.text) return false;
      at++;
    }
    return true;
  };
  for (const item of pattern.items) {
    if ("name" in item) {
      const start = at;
      if (!matchParts(item.parts)) return undefined;
      vars.set(item.name, segments.slice(start, at).join("/"));
    } else if (!matchParts([item])) {
      return undefined;
    }
  }
  return at === segments.length ? vars : undefined;
}

/** Routes by verb, tried most literal first. */
export class Router {
  private readonly byVerb = new Map<string, HttpRoute[]>();

  add(route: HttpRoute): void {
    let list = this.byVerb.get(route.verb);
    if (list === undefined) this.byVerb.set(route.verb, (list = []));
    list.push(route);
    list.sort((a, b) => literals(b.pattern) - literals(a.pattern));
  }

  get size(): number {
    let n = 0;
    for (const l of this.byVerb.values()) n += l.length;
    return n;
  }

  /** The route of `verb` and `path`; `verbs` lists the verbs another route of the path has (for 405). */
  find(verb: string, path: string): { route: HttpRoute; vars: Map<string, string> } | { verbs: string[] } {
    let segments: string[];
    try {
      segments = path.slice(1).split("/").map(decodeURIComponent);
    } catch {
      return { verbs: [] };
    }
    const verbs: string[] = [];
    for (const [v, routes] of this.byVerb) {
      for (const route of routes) {
        const vars = matchPattern(route.pattern, segments);
        if (vars === undefined) continue;
        if (v === verb) return { route, vars };
        verbs.push(v);
        break;
      }
    }
    return { verbs };
  }
}

function literals(p: Pattern): number {
  return p.items.filter((i) => !("name" in i) && i.kind === "literal").length;
}
