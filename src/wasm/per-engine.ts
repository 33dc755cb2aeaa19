/**
 * State kept per engine (reusable readers and writers of the one-call APIs). Nearly every
 * program has one engine: the last one asked for is remembered, so the common lookup is
 * one comparison rather than a WeakMap probe.
 */
import type { Engine } from "./engine.js";

/** A function returning the `T` made by `make` for each engine, made on first use. */
export function perEngine<T>(make: (engine: Engine) => T): (engine: Engine) => T {
  const all = new WeakMap<Engine, T>();
  let lastEngine: Engine | null = null;
  let last: T;
  // The lookup apart from the hit: the hit is what callers inline, and V8 counts every
  // bytecode inlined against one budget per compiled function (see protobuf/reader.ts).
  const lookup = (engine: Engine): T => {
    let value = all.get(engine);
    if (value === undefined) all.set(engine, (value = make(engine)));
    last = value;
    lastEngine = engine;
    return value;
  };
  return (engine) => (engine === lastEngine ? last : lookup(engine));
}
