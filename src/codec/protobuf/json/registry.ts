/**
 * The type registry ProtoJSON looks types up in: an Any names its message by type URL, and
 * printing or reading its fields takes that message's codec; an extension appears in JSON
 * as `"[full.name]"`, and nothing in a message says which extensions it may hold, so
 * only the extensions registered here are printed and read.
 */
import { ErrorCode, KitewireError } from "../../../errors.js";
import type { ProtobufExtension } from "../extension.js";
import type { ProtobufMessageCodec } from "../message.js";

/** An extension of any message type with a value of any type, as the registry holds it. */
export type AnyProtobufExtension = ProtobufExtension<unknown, unknown>;

/** Finds message codecs by full name (`pkg.Outer.Inner`), and extensions by full name or by the message they extend. */
export interface TypeRegistry {
  /** The codec of message `typeName`, if the registry has it. */
  findMessage(typeName: string): ProtobufMessageCodec<unknown> | undefined;
  /**
   * The extension whose full name is `typeName` (`pkg.name`, or `pkg.Scope.name` for one
   * declared inside a message), if the registry has it. Optional so that registries
   * written before extensions keep compiling: without it, no `"[name]"` key is read.
   */
  findExtension?(typeName: string): AnyProtobufExtension | undefined;
  /**
   * The registered extensions of message `extendee` (its full name), in field-number
   * order; empty if none. Optional as `findExtension`: without it, no extension is printed.
   */
  extensionsOf?(extendee: string): readonly AnyProtobufExtension[];
}

/** Whether `item` is an extension constant rather than a message codec (only extensions have an `extendee`). */
function isExtension(item: ProtobufMessageCodec<unknown> | AnyProtobufExtension): item is AnyProtobufExtension {
  return "extendee" in item && "field" in item;
}

/**
 * A registry of message codecs and extensions, in any mix: `createTypeRegistry(User,
 * Order, ext.priority)`. Each is told apart by shape (an extension constant has `extendee`
 * and `field`, a codec has `fields`). Every message a registered codec's fields reach is
 * registered too (nested, repeated and map-value messages, transitively), and so are an
 * extension's extendee and, for a message-typed extension, its value's type. A codec
 * registers no extensions: nothing in it lists them, so register the generated
 * `ProtobufExtension` constants that `toJson`/`fromJson` should know. A name registered
 * twice keeps its first codec or extension; two extensions of one message with one field
 * number but different names throw INVALID_STATE, as they could not both be decoded.
 */
export function createTypeRegistry(...items: (ProtobufMessageCodec<unknown> | AnyProtobufExtension)[]): TypeRegistry {
  const byName = new Map<string, ProtobufMessageCodec<unknown>>();
  const extensions = new Map<string, AnyProtobufExtension>();
  const byExtendee = new Map<string, AnyProtobufExtension[]>();
  const pending: ProtobufMessageCodec<unknown>[] = [];
  for (const item of items) {
    if (!isExtension(item)) {
      pending.push(item);
      continue;
    }
    pending.push(item.extendee);
    if (item.field.type.kind === "message") pending.push(item.field.type.type());
    if (extensions.has(item.typeName)) continue;
    const extendee = item.extendee.typeName;
    const list = byExtendee.get(extendee) ?? [];
    const clash = list.find((e) => e.field.no === item.field.no);
    if (clash !== undefined) {
      throw new KitewireError(ErrorCode.INVALID_STATE, `extensions ${clash.typeName} and ${item.typeName} are both field ` +
        `${item.field.no} of ${extendee}`, { details: { extendee, no: item.field.no } });
    }
    extensions.set(item.typeName, item);
    list.push(item);
    byExtendee.set(extendee, list);
  }
  for (let i = 0; i < pending.length; i++) {
    const codec = pending[i]!;
    if (byName.has(codec.typeName)) continue;
    byName.set(codec.typeName, codec);
    for (const field of codec.fields) {
      const t = field.type.kind === "map" ? field.type.value : field.type;
      if (t.kind === "message") pending.push(t.type());
    }
  }
  // Sorted once here so that printing can merge them with the fields, both in number order.
  for (const list of byExtendee.values()) list.sort((a, b) => a.field.no - b.field.no);
  const none: readonly AnyProtobufExtension[] = [];
  return {
    findMessage: (typeName) => byName.get(typeName),
    findExtension: (typeName) => extensions.get(typeName),
    extensionsOf: (extendee) => byExtendee.get(extendee) ?? none,
  };
}

/** The message name of a type URL: what follows its last "/". */
export function typeNameOfUrl(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
}
