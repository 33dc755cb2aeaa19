/**
 * The shared empty values that absent repeated, map and bytes fields of decoded messages
 * read as. A decode allocates only what the message holds: a `new Map()` costs about as much as
 * decoding a small field, and a message with two absent maps paid for both on every call
 * (bench/README.md, "Decode as a server sees it"). protobufjs shares frozen empties the same
 * way. Reading them is reading an empty list or map; changing them throws a TypeError, so a
 * caller that wants to add to a decoded message's absent field assigns a new one (messages
 * made with `create()` get their own containers).
 */

/** The empty bytes of every absent `bytes` field of a decoded message (frozen: nothing can be added to it). */
export const EMPTY_BYTES: Uint8Array = Object.freeze(new Uint8Array(0));

/** The frozen empty list of every absent repeated field of a decoded message. */
export const EMPTY_LIST: never[] = Object.freeze([]) as unknown as never[];

/**
 * The empty Map of every absent map field of a decoded message. A plain Map (so equality
 * checks that compare constructors see a Map) whose `set` throws, as adding to a frozen
 * array does.
 */
export const EMPTY_MAP: Map<never, never> = (() => {
  const map = new Map<never, never>();
  Object.defineProperty(map, "set", {
    value(): never {
      throw new TypeError("this Map is the shared empty value of an absent map field of a decoded message: assign a new Map to the field to add entries");
    },
  });
  return Object.freeze(map);
})();
