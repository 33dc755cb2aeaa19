/** JSON ⇄ Thrift transcoding in the engine (see transcode.ts). */
export { jsonToThriftInEngine, thriftToJsonInEngine, thriftToJsonTextInEngine, type TranscodeOptions } from "./transcode.js";
export { engineDescriptor } from "./descriptor.js";
