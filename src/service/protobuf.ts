/** The method table generated code emits for each Protobuf service. */
import type { ProtobufMessageCodec } from "../codec/protobuf/message.js";

/** The four call shapes of a Protobuf method. */
export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

export interface ProtobufMethod<In = unknown, Out = unknown> {
  /** The name in the .proto file (what goes on the wire). */
  readonly name: string;
  readonly kind: MethodKind;
  /** `option idempotency_level = IDEMPOTENT` or `NO_SIDE_EFFECTS` in the .proto file. */
  readonly idempotent?: boolean;
  readonly input: ProtobufMessageCodec<In>;
  readonly output: ProtobufMessageCodec<Out>;
}

export interface ProtobufService {
  /** Full name, e.g. `pkg.Greeter` (gRPC paths are `/pkg.Greeter/Method`). */
  readonly name: string;
  /** The .proto file it was generated from. */
  readonly proto: string;
  /** Methods by their TypeScript (lowerCamelCase) name. */
  readonly methods: Readonly<Record<string, ProtobufMethod>>;
}
