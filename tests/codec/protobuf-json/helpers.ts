/** Shared by the ProtoJSON tests: the registry of the test schema and error expectations. */
import { expect } from "vitest";
import { createTypeRegistry, KitewireError, type ErrorCode } from "kitewire";
import * as s from "../../support/protobuf-json-schema.js";

export const registry = createTypeRegistry(...s.TEST_MESSAGES, ...s.WKT_MESSAGES);

/** Runs `fn`, expecting a KitewireError with `code` whose message contains each of `parts`. */
export function expectError(fn: () => unknown, code: ErrorCode, ...parts: string[]): KitewireError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected a KitewireError").toBeInstanceOf(KitewireError);
  const e = caught as KitewireError;
  expect(e.code, e.message).toBe(code);
  for (const p of parts) expect(e.message).toContain(p);
  return e;
}
