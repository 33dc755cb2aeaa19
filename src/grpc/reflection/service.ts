/**
 * gRPC server reflection (grpc/proto/grpc/reflection/v1/reflection.proto, and its older
 * twin `grpc.reflection.v1alpha`, the same messages in another package): the bidi method
 * `ServerReflectionInfo` answering each request — list the services, the file declaring
 * a symbol, a file by name — so that grpcurl-style tools and `@grpc/reflection` clients
 * can list and call a kitewire server without its .proto files.
 *
 * The request and response are small and fixed: they are read and written with wire.ts,
 * and travel as raw bytes through a pass-through codec.
 */
import type { ProtobufMessageCodec } from "../../codec/protobuf/message.js";
import type { ProtobufReader } from "../../codec/protobuf/reader.js";
import type { ProtobufWriter } from "../../codec/protobuf/writer.js";
import type { ProtobufMethod } from "../../service/protobuf.js";
import { GrpcStatus } from "../status.js";
import { bytesField, readFields, stringField, varintField } from "../wire.js";
import type { ReflectionDescriptors } from "./descriptors.js";

/** The reflection services' names. */
export const REFLECTION_SERVICES = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"] as const;

/** A codec that passes a message's bytes through: the reflection handler reads and writes them itself. */
function rawCodec(typeName: string): ProtobufMessageCodec<Uint8Array> {
  return {
    typeName,
    fields: [],
    create: () => new Uint8Array(0),
    encode: (w: ProtobufWriter, v: Uint8Array) => w.writeRaw(v),
    decode(r: ProtobufReader): Uint8Array {
      const start = r.pos;
      r.pos = r.end;
      return r.raw(start);
    },
  };
}

/** The `ServerReflectionInfo` method of a reflection service in `pkg`. */
export function reflectionMethod(pkg: string): ProtobufMethod {
  return {
    name: "ServerReflectionInfo", kind: "bidi_streaming",
    input: rawCodec(`${pkg}.ServerReflectionRequest`) as ProtobufMessageCodec<unknown>,
    output: rawCodec(`${pkg}.ServerReflectionResponse`) as ProtobufMessageCodec<unknown>,
  };
}

/** Answers each ServerReflectionRequest of the stream from `descriptors`. */
export async function* serveReflection(descriptors: () => ReflectionDescriptors, requests: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const request of requests) yield answer(descriptors(), request);
}

/** The ServerReflectionResponse to one ServerReflectionRequest. */
export function answer(d: ReflectionDescriptors, request: Uint8Array): Uint8Array {
  let host = "";
  let kind = 0;
  let arg = "";
  readFields(request, (field, value) => {
    if (field === 1 && typeof value !== "number") host = new TextDecoder().decode(value);
    else if (field >= 3 && field <= 7) {
      kind = field;
      if (typeof value !== "number" && (field === 3 || field === 4 || field === 6)) arg = new TextDecoder().decode(value);
      if (field === 5 && typeof value !== "number") {
        readFields(value, (f, v) => {
          if (f === 1 && typeof v !== "number") arg = new TextDecoder().decode(v);
        });
      }
    }
  });
  const out: number[] = [];
  stringField(out, 1, host);
  bytesField(out, (2 << 3) | 2, request);
  const files = (list: Uint8Array[]) => {
    const r: number[] = [];
    for (const f of list) bytesField(r, (1 << 3) | 2, f);
    bytesField(out, (4 << 3) | 2, r);
  };
  const error = (code: number, message: string) => {
    const e: number[] = [];
    varintField(e, 1, code);
    stringField(e, 2, message);
    bytesField(out, (7 << 3) | 2, e);
  };
  switch (kind) {
    case 3: {
      if (d.files.has(arg)) files(d.withDependencies(arg));
      else error(GrpcStatus.NOT_FOUND, `file not found: ${arg}`);
      break;
    }
    case 4: {
      const file = d.symbols.get(arg.replace(/^\./, ""));
      if (file !== undefined) files(d.withDependencies(file));
      else error(GrpcStatus.NOT_FOUND, `symbol not found: ${arg}`);
      break;
    }
    case 5:
      error(GrpcStatus.NOT_FOUND, `extensions are not reflected: ${arg}`);
      break;
    case 6: {
      if (d.symbols.has(arg)) {
        const r: number[] = [];
        stringField(r, 1, arg);
        bytesField(out, (5 << 3) | 2, r); // no extension numbers
      } else {
        error(GrpcStatus.NOT_FOUND, `type not found: ${arg}`);
      }
      break;
    }
    case 7: {
      const list: number[] = [];
      for (const name of [...d.services, ...REFLECTION_SERVICES]) {
        const s: number[] = [];
        stringField(s, 1, name);
        bytesField(list, (1 << 3) | 2, s);
      }
      bytesField(out, (6 << 3) | 2, list);
      break;
    }
    default:
      error(GrpcStatus.INVALID_ARGUMENT, "a ServerReflectionRequest without a request");
  }
  return Uint8Array.from(out);
}
