/** The zlib payload transform of Apache THeader on Node's `node:zlib` (registered by the Node entry). */
import { deflateSync, inflateSync } from "node:zlib";
import { ErrorCode, KitewireError } from "../../errors.js";
import { TransformId, type PayloadTransform } from "../transform.js";

/** zlib (RFC 1950, what Python's `zlib.compress` writes); inflating stops at `maxSize` bytes. */
export const zlibTransform: PayloadTransform = Object.freeze({
  id: TransformId.ZLIB,
  name: "zlib",
  encode(payload: Uint8Array): Uint8Array {
    return deflateSync(payload);
  },
  decode(payload: Uint8Array, maxSize: number): Uint8Array {
    try {
      return inflateSync(payload, { maxOutputLength: Math.max(1, maxSize) });
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
        throw new KitewireError(ErrorCode.LENGTH_LIMIT, `zlib payload inflates past the maximum frame size ${maxSize}`, { cause: error });
      }
      throw new KitewireError(ErrorCode.MALFORMED_FRAME, `zlib payload does not inflate: ${(error as Error).message}`, { cause: error });
    }
  },
});
