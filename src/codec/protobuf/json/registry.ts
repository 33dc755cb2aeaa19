/**
 * The type registry `google.protobuf.Any` needs in ProtoJSON: an Any names its message by
 * type URL, and printing or reading its fields takes that message's codec.
 */
import type { ProtobufMessageCodec } from "../message.js";

/** Finds message codecs by full name (`pkg.Outer.Inner`). */
export interface TypeRegistry {
  /** The codec of message `typeName`, if the registry has it. */
  findMessage(typeName: string): ProtobufMessageCodec<unknown> | undefined;
}

/**
 * A registry of `codecs` and of every message their fields reach (nested, repeated and
 * map-value messages, transitively), so registering a top-level message registers what it
 * is made of. A name registered twice keeps its first codec.
 */
export function createTypeRegistry(...codecs: ProtobufMessageCodec<unknown>[]): TypeRegistry {
  const byName = new Map<string, ProtobufMessageCodec<unknown>>();
  const pending: ProtobufMessageCodec<unknown>[] = [...codecs];
  for (let i = 0; i < pending.length; i++) {
    const codec = pending[i]!;
    if (byName.has(codec.typeName)) continue;
    byName.set(codec.typeName, codec);
    for (const field of codec.fields) {
      const t = field.type.kind === "map" ? field.type.value : field.type;
      if (t.kind === "message") pending.push(t.type());
    }
  }
  return { findMessage: (typeName) => byName.get(typeName) };
}

/** The message name of a type URL: what follows its last "/". */
export function typeNameOfUrl(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
}
