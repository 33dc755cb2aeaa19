/**
 * Errors crossing from a server thread to the socket thread (src/server/node/threads/
 * protocol.ts): a failure or a rejection comes out with the code, offset, message and
 * details it went in with, its offset named once; bytes that are not such a message give
 * INVALID_STATE, not a throw.
 */
import { expect, test } from "vitest";
import { ErrorCode, KitewireError } from "../../../src/errors.js";
import { failureBytes, failureOf, rejectionBytes, rejectionOf } from "../../../src/server/node/threads/protocol.js";

test("a failure keeps its code and offset, names the offset once and says which thread found it", () => {
  const error = failureOf(failureBytes(new KitewireError(ErrorCode.MALFORMED_FRAME, "bad header", { offset: 14 })), 1);
  expect(error).toBeInstanceOf(KitewireError);
  expect(error.code).toBe(ErrorCode.MALFORMED_FRAME);
  expect(error.offset).toBe(14);
  expect(error.message).toBe("server thread 1: bad header (at byte 14)");
});

test("a failure that is not a KitewireError crosses as INVALID_STATE with its message; bytes that are not a failure too", () => {
  expect(failureOf(failureBytes(new RangeError("out of room")), 0)).toMatchObject({ code: ErrorCode.INVALID_STATE, message: "server thread 0: out of room" });
  expect(failureOf(new TextEncoder().encode("{not json"), 2)).toMatchObject({ code: ErrorCode.INVALID_STATE, message: "server thread 2: {not json" });
  expect(failureOf(new TextEncoder().encode('{"code":1}'), 2).code).toBe(ErrorCode.INVALID_STATE);
});

test("a rejection keeps the peer, reason, offset, the error's code, offset and message, and what was detected", () => {
  const cause = new KitewireError(ErrorCode.MALFORMED_FRAME, "unknown protocol", { offset: 0, details: { detected: "http/1.1", other: 1 } });
  const [peer, error, reason, offset] = rejectionOf(rejectionBytes("127.0.0.1:5000", cause, "unknown-protocol", 3));
  expect([peer, reason, offset]).toEqual(["127.0.0.1:5000", "unknown-protocol", 3]);
  expect(error).toMatchObject({ code: ErrorCode.MALFORMED_FRAME, offset: 0, message: "unknown protocol (at byte 0)", details: { detected: "http/1.1" } });
  expect(error.details).not.toHaveProperty("other");
  const [, plain] = rejectionOf(rejectionBytes(undefined, new Error("reset"), undefined, undefined));
  expect(plain).toMatchObject({ code: ErrorCode.CONNECTION, message: "reset", details: undefined });
});
