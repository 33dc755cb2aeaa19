/**
 * A Host (tests/golden/proto/extensions.proto) holding every extension, for the extension
 * tests against protobufjs (tests/codegen/proto-extensions.test.ts) and protoc
 * (tests/peers/protoc-extensions.test.ts).
 */
import { setExtension, type ProtobufExtension } from "kitewire";
import * as ext from "../golden/proto/gen/extensions.js";

const bytes = (...b: number[]) => new Uint8Array(b);

/** One value of every extension of Host, each different from its default. */
export function hostWithAll(): ext.Host {
  const h = ext.Host.create({ name: "h" });
  // In no particular order: setExtension keeps the unknown fields in number order.
  setExtension(h, ext.Scope_count, 7);
  setExtension(h, ext.stamp, -4n);
  setExtension(h, ext.count, -5);
  setExtension(h, ext.offset, -(2n ** 40n));
  setExtension(h, ext.level, ext.Level.LEVEL_HIGH);
  setExtension(h, ext.label, "héllo");
  setExtension(h, ext.blob, bytes(0, 255));
  setExtension(h, ext.point, ext.Point.create({ x: 1, y: -2 }));
  setExtension(h, ext.samples, [1, 2, -3, 300]);
  setExtension(h, ext.tags, ["a", ""]);
  setExtension(h, ext.ids, [7, 4294967295]);
  setExtension(h, ext.points, [ext.Point.create({ x: 3 }), ext.Point.create()]);
  setExtension(h, ext.levels, [ext.Level.LEVEL_LOW, ext.Level.LEVEL_HIGH]);
  setExtension(h, ext.big, 2n ** 64n - 1n);
  setExtension(h, ext.flag, true);
  setExtension(h, ext.ratio, 0.25);
  setExtension(h, ext.default_level, ext.Level.LEVEL_LOW);
  setExtension(h, ext.greeting, "");
  setExtension(h, ext.magic, bytes());
  setExtension(h, ext.scale, 1.5);
  return h;
}

/** What hostWithAll holds, by extension, as getExtension returns it. */
export const ALL: [ProtobufExtension<ext.Host, unknown>, unknown][] = [
  [ext.count, -5], [ext.offset, -(2n ** 40n)], [ext.level, 2], [ext.label, "héllo"],
  [ext.blob, bytes(0, 255)], [ext.point, { x: 1, y: -2 }], [ext.samples, [1, 2, -3, 300]],
  [ext.tags, ["a", ""]], [ext.ids, [7, 4294967295]], [ext.points, [{ x: 3, y: undefined }, { x: undefined, y: undefined }]],
  [ext.levels, [1, 2]], [ext.big, 2n ** 64n - 1n], [ext.flag, true], [ext.ratio, 0.25],
  [ext.default_level, 1], [ext.greeting, ""], [ext.magic, bytes()],
  [ext.scale, 1.5], [ext.stamp, -4n], [ext.Scope_count, 7],
];

/** hostWithAll in protoc's text format. */
export const HOST_TEXT = `name: "h"
[extensions.count]: -5
[extensions.offset]: -1099511627776
[extensions.level]: LEVEL_HIGH
[extensions.label]: "h\\303\\251llo"
[extensions.blob]: "\\000\\377"
[extensions.point] { x: 1 y: -2 }
[extensions.samples]: [1, 2, -3, 300]
[extensions.tags]: ["a", ""]
[extensions.ids]: [7, 4294967295]
[extensions.points] { x: 3 }
[extensions.points] { }
[extensions.levels]: [LEVEL_LOW, LEVEL_HIGH]
[extensions.big]: 18446744073709551615
[extensions.flag]: true
[extensions.ratio]: 0.25
[extensions.default_level]: LEVEL_LOW
[extensions.greeting]: ""
[extensions.magic]: ""
[extensions.scale]: 1.5
[extensions.stamp]: -4
[extensions.Scope.count]: 7
`;
