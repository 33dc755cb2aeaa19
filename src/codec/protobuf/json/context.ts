/**
 * Where a ProtoJSON walk is (the JSON path of the value at hand, the nesting depth) and the
 * errors that name it. The path is a stack of raw keys formatted only when an error is
 * built, so a walk that succeeds pays one push and one pop per field.
 */
import { ErrorCode, KitewireError } from "../../../errors.js";
import type { ProtobufMessageCodec } from "../message.js";
import { typeNameOfUrl, type AnyProtobufExtension, type TypeRegistry } from "./registry.js";
import type { JsonObject } from "./types.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const SURROGATE = /[\uD800-\uDFFF]/;
const NO_EXTENSIONS: readonly AnyProtobufExtension[] = [];

/** The state of one `toJson`/`fromJson` call. */
export class JsonContext {
  /** Object keys (strings) and array indexes (numbers) from the root to the value at hand. */
  private readonly keys: (string | number)[] = [];
  private depth = 0;
  /** Whether a -0 was printed (JSON.stringify would print it as 0). */
  negativeZero = false;

  constructor(
    private readonly maxDepth: number,
    private readonly typeRegistry: TypeRegistry | undefined,
  ) {}

  /** Steps into object member `key` or array element `index`. */
  push(key: string | number): void {
    this.keys.push(key);
  }

  /** Steps back out of the last `push`. */
  pop(): void {
    this.keys.pop();
  }

  /** Enters a nested message; throws DEPTH_LIMIT past `maxDepth`. */
  enter(typeName: string): void {
    if (++this.depth > this.maxDepth) {
      this.depth--;
      throw this.error(`${typeName} nests deeper than the maximum depth ${this.maxDepth}`, ErrorCode.DEPTH_LIMIT);
    }
  }

  /** Leaves a message entered with `enter`. */
  leave(): void {
    this.depth--;
  }

  /** The path in JSONPath notation: `$.user.addresses[2]["a key"]`. */
  path(): string {
    let s = "$";
    for (const k of this.keys) {
      if (typeof k === "number") s += `[${k}]`;
      else if (IDENTIFIER.test(k)) s += `.${k}`;
      else s += `[${JSON.stringify(k)}]`;
    }
    return s;
  }

  /** An error about the value at the current path. */
  error(what: string, code: ErrorCode = ErrorCode.INVALID_VALUE): KitewireError {
    return new KitewireError(code, `${this.path()}: ${what}`);
  }

  /** Runs `fn`, prefixing what it throws with this path and `what` (keeping a KitewireError's code). */
  guard<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      const code = e instanceof KitewireError ? e.code : ErrorCode.INVALID_VALUE;
      throw new KitewireError(code, `${this.path()}: ${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** The registered extensions of message type `typeName`, in field-number order (none without a typeRegistry). */
  extensionsOf(typeName: string): readonly AnyProtobufExtension[] {
    return this.typeRegistry?.extensionsOf?.(typeName) ?? NO_EXTENSIONS;
  }

  /** The registered extension named `typeName` (its full name), if any. */
  findExtension(typeName: string): AnyProtobufExtension | undefined {
    return this.typeRegistry?.findExtension?.(typeName);
  }

  /** The codec of the message an Any's type URL names (what follows its last "/"). */
  anyType(typeUrl: string): ProtobufMessageCodec<unknown> {
    // A bare name is no type URL: the conformance suite rejects it when reading, so printing does too.
    if (!/\/[^/]+$/.test(typeUrl)) {
      throw this.error(`Any type URL must be like "type.googleapis.com/pkg.Message", got ${describe(typeUrl)}`);
    }
    const name = typeNameOfUrl(typeUrl);
    if (this.typeRegistry === undefined) throw this.error(`Any of type ${JSON.stringify(typeUrl)} needs a typeRegistry`);
    const codec = this.typeRegistry.findMessage(name);
    if (codec === undefined) throw this.error(`Any type ${JSON.stringify(name)} is not in the typeRegistry`);
    return codec;
  }
}

/** A short description of a JSON (or JavaScript) value for error messages. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "string": {
      const s = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
      return `the string ${s}`;
    }
    case "number":
    case "boolean":
      return `${Object.is(value, -0) ? "-0" : String(value)}`;
    case "bigint":
      return `the bigint ${value}n`;
    case "undefined":
      return "undefined";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) return "an array";
      if (value instanceof Uint8Array) return "a Uint8Array";
      if (value instanceof Map) return "a Map";
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}

/** Whether `json` is a JSON object (not null, not an array). */
export function isObject(json: unknown): json is JsonObject {
  return typeof json === "object" && json !== null && !Array.isArray(json);
}

/** Sets `obj[key]`, as an own property even when `key` is `__proto__`. */
export function setKey<V>(obj: Record<string, V>, key: string, value: V): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Whether `obj` has an own property `key` (safe against prototype keys like `toString`). */
export function hasOwn(obj: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Whether `s` is well-formed UTF-16 (no unpaired surrogate), so that it has a UTF-8 encoding. */
export function isWellFormed(s: string): boolean {
  if (!SURROGATE.test(s)) return true; // the usual case, decided by the regex engine
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const d = s.charCodeAt(++i);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
  }
  return true;
}
