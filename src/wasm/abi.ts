/**
 * The engine's exports as TypeScript sees them (assembly/index.ts is the source of truth).
 * Addresses and sizes are byte offsets into `memory`; failing calls return `-code`.
 */
export interface EngineExports {
  readonly memory: WebAssembly.Memory;
  lastErrorAt(): number;
  simd(): number;

  blockAlloc(size: number): number;
  blockRelease(block: number): void;
  setMemoryLimit(bytes: number): void;
  liveBlockCount(): number;
  arenaGrow(block: number, used: number, need: number): number;

  chainNew(blockSize: number): number;
  chainLength(chain: number): number;
  chainReserve(chain: number, n: number): number;
  chainCommit(chain: number, n: number): void;
  chainAppendBlock(chain: number, block: number, len: number): number;
  chainAppendChain(dst: number, src: number): void;
  chainSkip(chain: number, n: number): void;
  chainSlice(chain: number, n: number): number;
  chainContiguous(chain: number, n: number): number;
  chainPeekU32(chain: number, offset: number): number;
  chainRelease(chain: number): void;
  chainHead(chain: number): number;

  utf8Validate(src: number, len: number): number;
  utf8Decode(src: number, len: number, dst: number, strict: number): number;
  utf8Encode(src: number, units: number, dst: number): number;
  utf8Length(src: number, units: number): number;

  thriftBinarySkip(p: number, end: number, type: number, maxDepth: number): number;
  thriftBinarySkipMessage(p: number, end: number, maxDepth: number, allowUnversioned: number): number;
  byteSwapCopy(src: number, n: number, dst: number, width: number): void;
  thriftCompactSkip(p: number, end: number, type: number, maxDepth: number): number;
  thriftCompactSkipMessage(p: number, end: number, maxDepth: number): number;
  compactWriteI32s(src: number, n: number, dst: number): number;
  compactWriteI64s(src: number, n: number, dst: number): number;
  compactReadI32s(p: number, end: number, n: number, dst: number): number;
  compactReadI64s(p: number, end: number, n: number, dst: number): number;

  thriftStringListSize(compact: number, p: number, end: number, n: number): number;
  thriftStringListDecode(compact: number, p: number, end: number, n: number, out: number, strict: number): number;

  protobufWritePacked(kind: number, src: number, n: number, dst: number): number;
  protobufReadPacked(kind: number, p: number, end: number, dst: number): number;
  protobufValidate(p: number, end: number, maxDepth: number): number;
  protobufSkip(p: number, end: number, tag: number, maxDepth: number): number;

  transcodeJsonToThrift(desc: number, src: number, len: number, flags: number, maxDepth: number): number;
  transcodeThriftToJson(desc: number, src: number, len: number, flags: number, maxDepth: number): number;
  transcodeOutput(): number;
  transcodeFixups(): number;
  transcodeFixupCount(): number;
  transcodeCloseGaps(): number;
  transcodeRootField(): number;
}

/** Column kinds of protobufWritePacked/protobufReadPacked (assembly/protobuf/wire.ts). */
export const PackedKind = { INT32: 0, UINT32: 1, SINT32: 2, INT64: 3, SINT64: 4, BOOL: 5 } as const;
export type PackedKind = (typeof PackedKind)[keyof typeof PackedKind];

/** Engine error numbers (assembly/errors.ts) by position: index = number. */
export const ENGINE_ERRORS = [
  "",
  "TRUNCATED",
  "LENGTH_LIMIT",
  "DEPTH_LIMIT",
  "INVALID_UTF8",
  "UNKNOWN_TYPE",
  "BAD_VERSION",
  "MALFORMED_VARINT",
  "NEGATIVE_LENGTH",
  "OUT_OF_MEMORY",
  "INVALID_TAG",
] as const;
