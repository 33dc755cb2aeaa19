/** Loading the engine from every kind of source, the SIMD fallback, and the error class. */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  ErrorCode, getEngine, init, KitewireError, loadEngine, ThriftBinaryWriter,
} from "../../src/runtime/node/index.js";

const file = (name: string) => readFileSync(new URL(`../../build/${name}`, import.meta.url));
const wasmResponse = (bytes: Uint8Array, type = "application/wasm") =>
  new Response(bytes, { headers: { "content-type": type } });

describe("loading", () => {
  test("using the default engine before init() is NOT_INITIALIZED", () => {
    expect(() => getEngine()).toThrow(expect.objectContaining({ code: ErrorCode.NOT_INITIALIZED }));
    expect(() => new ThriftBinaryWriter()).toThrow(KitewireError);
  });

  test("init() loads the SIMD build and is idempotent", async () => {
    const a = await init();
    const b = await init();
    expect(a).toBe(b);
    expect(a.simd).toBe(true);
    expect(getEngine()).toBe(a);
  });

  test.each([
    ["a Module", () => new WebAssembly.Module(file("kitewire.wasm"))],
    ["a Uint8Array", () => file("kitewire.wasm")],
    ["an ArrayBuffer", () => Uint8Array.from(file("kitewire.wasm")).buffer],
    ["a wasm Response (streaming compile)", () => wasmResponse(file("kitewire.wasm"))],
    ["a Response without the wasm content type", () => wasmResponse(file("kitewire.wasm"), "application/octet-stream")],
    ["a promised Response", () => Promise.resolve(wasmResponse(file("kitewire.wasm")))],
  ])("from %s", async (_, source) => {
    const engine = await loadEngine(source());
    expect(engine.simd).toBe(false);
    const w = new ThriftBinaryWriter({ engine });
    w.writeI32(-2);
    expect(w.finish()).toEqual(new Uint8Array([0xff, 0xff, 0xff, 0xfe]));
  });

  test("falls back to the plain build when the SIMD one cannot be compiled", async () => {
    const broken = Uint8Array.from(file("kitewire.simd.wasm"));
    broken[10] ^= 0xff;
    const engine = await loadEngine({ simd: broken, plain: file("kitewire.wasm") });
    expect(engine.simd).toBe(false);
    const simd = await loadEngine({ simd: file("kitewire.simd.wasm"), plain: file("kitewire.wasm") });
    expect(simd.simd).toBe(true);
  });

  test("fails with NOT_INITIALIZED naming every cause when nothing loads", async () => {
    const failing = loadEngine({ simd: new Uint8Array([0, 1, 2]), plain: wasmResponse(new Uint8Array(0)) });
    await expect(failing).rejects.toMatchObject({ code: "NOT_INITIALIZED" });
    await expect(loadEngine(new Response("nope", { status: 404 }))).rejects.toThrow(/HTTP 404/);
  });
});

describe("KitewireError", () => {
  test("instanceof holds across two copies of the package", async () => {
    const bundle = await import("../../dist/kitewire.node.mjs");
    const other = new bundle.KitewireError("TRUNCATED", "from the bundle", { offset: 3 });
    expect(bundle.KitewireError).not.toBe(KitewireError);
    expect(other).toBeInstanceOf(KitewireError);
    expect(new KitewireError("TRUNCATED", "x")).toBeInstanceOf(bundle.KitewireError);
    expect(new Error("plain")).not.toBeInstanceOf(KitewireError);
  });

  test("carries code, offset and cause; from() wraps foreign errors", () => {
    const cause = new RangeError("inner");
    const e = new KitewireError(ErrorCode.LENGTH_LIMIT, "too long", { offset: 12, cause });
    expect(e.message).toBe("too long (at byte 12)");
    expect(e.offset).toBe(12);
    expect(e.cause).toBe(cause);
    expect(KitewireError.from(e)).toBe(e);
    const wrapped = KitewireError.from(cause, ErrorCode.INVALID_VALUE);
    expect(wrapped.code).toBe("INVALID_VALUE");
    expect(wrapped.cause).toBe(cause);
  });

  test("what users see: name, code, message and a stack from the throw site; stack: false keeps all but the frames", () => {
    function throwSite(): KitewireError {
      return new KitewireError(ErrorCode.TRUNCATED, "input ends", { offset: 4 });
    }
    const e = throwSite();
    expect(e.name).toBe("KitewireError");
    expect(String(e)).toBe("KitewireError: input ends (at byte 4)");
    expect(e.stack!.split("\n")[0]).toBe("KitewireError: input ends (at byte 4)");
    expect(e.stack!.split("\n")[1]).toMatch(/at throwSite /);
    expect("cause" in e).toBe(false);
    expect(e).toEqual(expect.objectContaining({ code: "TRUNCATED", offset: 4, details: undefined }));
    const frames = Error.stackTraceLimit;
    const quiet = new KitewireError(ErrorCode.TIMEOUT, "no reply", { stack: false, details: { a: 1 } });
    expect(Error.stackTraceLimit).toBe(frames);
    expect(quiet.stack).toBe("KitewireError: no reply");
    expect(quiet).toBeInstanceOf(KitewireError);
    expect(quiet).toBeInstanceOf(Error);
    expect(quiet.details).toEqual({ a: 1 });
    // `name` is the prototype's, and can still be changed per error as on any Error.
    const renamed = new KitewireError(ErrorCode.REMOTE, "x");
    renamed.name = "Other";
    expect(String(renamed)).toBe("Other: x");
    expect(new KitewireError(ErrorCode.REMOTE, "y").name).toBe("KitewireError");
  });
});
