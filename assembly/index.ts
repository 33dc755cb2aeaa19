/**
 * The engine's ABI: every function the host may call, and nothing else.
 *
 * Conventions: addresses and sizes are byte offsets into linear memory; a function that
 * can fail returns a negative error code (errors.ts) and `lastErrorAt()` tells where.
 * Allocating functions return 0 when memory is exhausted. No export allocates managed
 * objects; the host owns every buffer through the block allocator.
 */
import { errorAt } from "./errors";

export { blockAlloc, blockRelease, setMemoryLimit, liveBlockCount } from "./memory/blocks";
export { arenaGrow } from "./memory/arena";
export {
  chainNew, chainLength, chainReserve, chainCommit, chainAppendBlock, chainAppendChain,
  chainSkip, chainSlice, chainContiguous, chainPeekU32, chainRelease, chainHead,
} from "./memory/chain";
export { utf8Validate, utf8Decode, utf8Encode, utf8Length } from "./utf8/utf8";
export {
  thriftBinarySkip, thriftBinarySkipMessage, byteSwapCopy,
} from "./thrift/binary";
export {
  thriftCompactSkip, thriftCompactSkipMessage,
  compactWriteI32s, compactWriteI64s, compactReadI32s, compactReadI64s,
} from "./thrift/compact";
export { thriftStringListSize, thriftStringListDecode } from "./thrift/strings";
export { protobufWritePacked, protobufReadPacked } from "./protobuf/packed";
export { protobufValidate, protobufSkip } from "./protobuf/wire";
export {
  transcodeJsonToThrift, transcodeOutput, transcodeFixups, transcodeFixupCount,
} from "./transcode/json-to-thrift";
export { transcodeThriftToJson, transcodeCloseGaps, transcodeRootField } from "./transcode/thrift-to-json";

/** Address where the last failing call found its error. */
export function lastErrorAt(): usize {
  return errorAt;
}

/** 1 if this build uses SIMD instructions. */
export function simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
