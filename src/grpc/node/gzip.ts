/** gzip per-message compression (`grpc-encoding: gzip`) on node:zlib, with a bound on the inflated size. */
import { gunzipSync, gzipSync } from "node:zlib";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { GrpcCompression } from "../message.js";

export const gzip: GrpcCompression = Object.freeze({
  name: "gzip",
  compress: (bytes: Uint8Array) => gzipSync(bytes),
  decompress(bytes: Uint8Array, maxBytes: number): Uint8Array {
    try {
      return gunzipSync(bytes, { maxOutputLength: Math.max(1, maxBytes) });
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
        throw new KitewireError(ErrorCode.LENGTH_LIMIT, `a gzip message inflates past the limit of ${maxBytes} bytes`, { cause: error });
      }
      throw new KitewireError(ErrorCode.MALFORMED_FRAME, `a gzip message does not inflate: ${(error as Error).message}`, { cause: error });
    }
  },
});
