/**
 * Source spans of things the tree stores without one — reserved and extension ranges
 * (plain tuples), the extendee name of an `extend`, a file's package name — recorded by
 * the parser for the checker's diagnostics. Side tables keep the tree's shapes as they
 * are; trees from descriptor sets have no entries, and diagnostics then fall back to a
 * nearby span.
 */
import type { Span } from "../../diagnostics.js";
import type { ProtoExtend, ProtoFile } from "../ast.js";

/** Spans of `reserved` and `extensions` ranges. */
export const rangeSpans = new WeakMap<readonly [number, number], Span>();

/** Spans of the extendee names of `extend` blocks. */
export const extendeeSpans = new WeakMap<ProtoExtend, Span>();

/** Spans of package names. */
export const packageSpans = new WeakMap<ProtoFile, Span>();
