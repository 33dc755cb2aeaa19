/**
 * What Connect and gRPC-web share around message frames: both frame each message with
 * gRPC's 5-byte prefix (src/grpc/message.ts; Connect's envelope is the same with its own
 * flags), so a request's one message is cut by gRPC's deframer, and a server-streaming
 * reply is a stream of such frames ending in the protocol's own last frame.
 *
 * A streaming reply pulls the upstream one message per read of the HTTP response: nothing
 * is read from the upstream ahead of what the HTTP client has taken (the stream's
 * high-water mark is 0), so a slow browser holds the upstream back (through the gRPC
 * client's bounded queue and HTTP/2 flow control) instead of growing the gateway's memory.
 * When the HTTP client goes away the runtime cancels the response stream, which ends the
 * upstream iteration: the upstream call is cancelled.
 */
import { MessageDeframer, PREFIX_BYTES, writePrefix } from "../grpc/message.js";
import { GatewayFailure } from "./failure.js";

const utf8 = new TextEncoder();

/** JSON text (or its UTF-8) as UTF-8. */
export function jsonBytes(json: string | Uint8Array): Uint8Array {
  return typeof json === "string" ? utf8.encode(json) : json;
}

/** A frame: the prefix (`flags`, then the length, big-endian) and `payload`. */
export function frame(flags: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(PREFIX_BYTES + payload.length);
  writePrefix(out, 0, false, payload.length);
  out[0] = flags;
  out.set(payload, PREFIX_BYTES);
  return out;
}

/**
 * The one message of a request body (a unary or server-streaming call's request): a view
 * of `body`. invalid_argument for anything but one whole uncompressed frame; unimplemented
 * for a compressed one.
 */
export function onlyMessage(body: Uint8Array, protocol: string, maxBytes: number): Uint8Array {
  const messages: Uint8Array[] = [];
  let compressed = false;
  const deframer = new MessageDeframer(maxBytes, {
    message(m, c) {
      messages.push(m);
      compressed ||= c;
    },
  });
  try {
    deframer.push(body);
  } catch (error) {
    throw new GatewayFailure("invalid_argument", `${protocol} request: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (compressed) throw new GatewayFailure("unimplemented", `compressed ${protocol} messages are not supported`);
  if (deframer.partial) throw new GatewayFailure("invalid_argument", `${protocol} request body ends inside a message frame`);
  if (messages.length !== 1) throw new GatewayFailure("invalid_argument", `${protocol} request body holds ${messages.length} messages, not 1`);
  return messages[0]!;
}

/**
 * The reply stream of a server-streaming call: `message(value)` for each message of
 * `messages`, then `last(error)` (error undefined when the upstream ended well; a frame of
 * the error otherwise, including one thrown by `message`). Pulled one message per read;
 * cancelling it (the HTTP client went away) returns the iterator, cancelling the upstream.
 */
export function replyStream(messages: AsyncIterable<unknown>, message: (value: unknown) => Uint8Array,
  last: (error: unknown) => Uint8Array): ReadableStream<Uint8Array> {
  const it = messages[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Uint8Array;
      try {
        const r = await it.next();
        if (r.done) {
          controller.enqueue(last(undefined));
          controller.close();
          return;
        }
        chunk = message(r.value);
      } catch (error) {
        it.return?.()?.catch(() => undefined); // a message that cannot be written ends the upstream call too
        controller.enqueue(last(error));
        controller.close();
        return;
      }
      controller.enqueue(chunk);
    },
    async cancel() {
      await it.return?.();
    },
  }, { highWaterMark: 0 });
}
