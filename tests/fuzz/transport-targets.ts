/**
 * Fuzz targets of the transport layer: protocol detection and the frame decoder (fed whole
 * and in chunks), and TTHeader and Apache THeader parsing.
 *
 * Properties: a KitewireError or nothing is thrown; the frame decoder cuts the same frames
 * whether the bytes arrive at once or in pieces, frames lie within what was fed, and every
 * engine block is returned once the chain and frames are released; detection never changes
 * its answer when more bytes arrive; a header that decodes re-encodes to one that decodes
 * to the same header.
 */
import { BufferChain, ByteWriter, ErrorCode, KitewireError } from "kitewire";
import { detectTransport } from "../../src/remote/detect.js";
import { FrameDecoder } from "../../src/remote/frame-decoder.js";
import { decodeTHeader, writeTHeader } from "../../src/remote/theader.js";
import { decodeTTHeader, writeTTHeader, type TTHeaderInfo } from "../../src/remote/ttheader.js";
import { FuzzFinding, holds, rejectsCleanly } from "./check.js";
import { fuzzEngine } from "./engine.js";

/** Frames larger than this are refused (small: the fuzzer reaches the limit). */
const MAX_FRAME = 1 << 16;

/** What a decoder made of a byte stream: each frame's transport and sizes, then how it ended. */
function cut(data: Uint8Array, chunk: number): string[] {
  const engine = fuzzEngine();
  const chain = new BufferChain(engine, 256);
  const decoder = new FrameDecoder(engine, { maxFrameSize: MAX_FRAME, maxDepth: 32 });
  const seen: string[] = [];
  try {
    for (let at = 0; at < data.length; at += chunk) {
      chain.append(data.subarray(at, Math.min(at + chunk, data.length)));
      for (let frame = decoder.next(chain); frame !== null; frame = decoder.next(chain)) {
        const size = frame.bytes.length;
        frame.bytes.release();
        holds(frame.messageOffset >= 0 && frame.messageLength >= 0 && frame.messageOffset + frame.messageLength <= size,
          `frame of ${size} bytes with a message at ${frame.messageOffset}+${frame.messageLength}`);
        seen.push(`${frame.transport.framing}/${frame.transport.protocol} ${size} ${frame.messageOffset}+${frame.messageLength}`);
      }
    }
    seen.push(`waiting with ${chain.length} bytes`);
  } catch (error) {
    if (!(error instanceof KitewireError)) throw error;
    seen.push(`error ${error.code}`);
  } finally {
    chain.release();
  }
  return seen;
}

/** The frame decoder (with detection) over the input fed whole, then 1..16 bytes at a time (the first byte says how many). */
export function frames(data: Uint8Array): void {
  if (data.length === 0) return;
  const chunk = (data[0]! & 15) + 1;
  const rest = data.subarray(1);
  const whole = cut(rest, Math.max(rest.length, 1));
  const pieces = cut(rest, chunk);
  // Fed in pieces, an oversized frame may be refused on its first bytes where the whole
  // input fails on something else first: only how many frames came out must agree then.
  const last = (s: string[]) => s[s.length - 1]!;
  const tooLarge = `error ${ErrorCode.LENGTH_LIMIT}`;
  if (last(whole) === tooLarge || last(pieces) === tooLarge) {
    holds(whole.length === pieces.length && whole.slice(0, -1).join() === pieces.slice(0, -1).join(),
      `frames fed whole [${whole.join("; ")}] and in ${chunk}-byte pieces [${pieces.join("; ")}]`);
  } else {
    holds(whole.join() === pieces.join(), `frames fed whole [${whole.join("; ")}] and in ${chunk}-byte pieces [${pieces.join("; ")}]`);
  }
  detection(rest);
}

/** `detectTransport` decides once: after it answers, more bytes do not change the answer. */
function detection(data: Uint8Array): void {
  let answer: string | undefined;
  for (let n = 1; n <= Math.min(data.length, 64); n++) {
    const found = rejectsCleanly(() => {
      const t = detectTransport((i) => (i < n ? data[i]! : -1), n);
      return t === null ? "more" : `${t.framing}/${t.protocol}`;
    }) ?? "error";
    if (answer !== undefined && answer !== "more") {
      holds(found === answer, `detectTransport said ${answer}, then ${found} with ${n} bytes`);
    }
    answer = found;
  }
}

function sameInfo(a: TTHeaderInfo, b: TTHeaderInfo): boolean {
  const maps = (x: ReadonlyMap<unknown, string>, y: ReadonlyMap<unknown, string>) =>
    x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
  return a.flags === b.flags && a.seqid === b.seqid && a.protocol === b.protocol && a.transforms.join() === b.transforms.join()
    && maps(a.intInfo, b.intInfo) && maps(a.strInfo, b.strInfo) && a.token === b.token;
}

/** A header decoder and the writer of the same header, for `headerTarget`. */
interface HeaderCodec {
  decode(frame: Uint8Array): { info: TTHeaderInfo; payloadOffset: number };
  write(w: ByteWriter, info: TTHeaderInfo): void;
}

/** Header parsing of a whole frame; a header that decodes re-encodes to one that decodes to the same header. */
function headerTarget(name: string, codec: HeaderCodec, reencodes: (info: TTHeaderInfo) => boolean): (data: Uint8Array) => void {
  return (data) => {
    const decoded = rejectsCleanly(() => codec.decode(data));
    if (decoded === undefined) return;
    const { info, payloadOffset } = decoded;
    holds(payloadOffset >= 14 && payloadOffset <= data.length, `${name}: payload at ${payloadOffset} of a ${data.length}-byte frame`);
    if (!reencodes(info)) return;
    const w = new ByteWriter({ engine: fuzzEngine() });
    try {
      w.writeRaw(new Uint8Array(4));
      // Only a header too large to write again may be refused (keys repeated in the input shrink it).
      const written = rejectsCleanly(() => {
        codec.write(w, info);
        return true;
      });
      if (written === undefined) return;
      const again = codec.decode(w.finish());
      if (!sameInfo(again.info, info)) {
        throw new FuzzFinding(`${name} re-encoded decodes differently: ${JSON.stringify([...again.info.strInfo])} vs ${JSON.stringify([...info.strInfo])}`);
      }
    } finally {
      w.dispose();
    }
  };
}

/** TTHeader (without transforms, which kitewire does not write there). */
export const ttheader = headerTarget("TTHeader", {
  decode: decodeTTHeader, write: (w, info) => writeTTHeader(w, info.seqid, info.protocol, info),
}, (info) => info.transforms.length === 0);

/** Apache THeader (its string info and transforms; it has no int info or token). */
export const theader = headerTarget("THeader", {
  decode: decodeTHeader, write: (w, info) => writeTHeader(w, info.seqid, info.protocol, info),
}, () => true);
