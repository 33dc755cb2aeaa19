/**
 * Message bodies: fields, maps, groups, `oneof`, nested messages and enums, `extend`,
 * `extensions` and `reserved` ranges, options and empty statements. Each statement is
 * parsed on its own: after a syntax error the rest of the statement is skipped and the
 * body goes on, so one broken field does not hide the errors of the next.
 *
 * Messages are added to their parent list as soon as their name is read, so a body cut
 * short by an error still defines the name and references to it do not cascade.
 */
import type { ProtoExtend, ProtoMessage, ProtoOneof, ProtoOption } from "../ast.js";
import { MAX_FIELD_NUMBER } from "../names.js";
import type { Cursor } from "./cursor.js";
import { parseBlock, parseRanges, parseReserved } from "./blocks.js";
import { parseEnum } from "./enums.js";
import { type FieldContext, parseField, withDoc } from "./fields.js";
import { parseBracketOptions, parseDottedName, parseOptionStatement } from "./options.js";
import { extendeeSpans } from "./spans.js";


/** `message Name { ... }` (the `message` keyword is current); the message goes into `into`. */
export function parseMessage(c: Cursor, into: ProtoMessage[]): void {
  const keyword = c.next();
  const name = c.expectIdent("message name");
  const message: ProtoMessage = {
    kind: "message", name: name.text, fullName: "", fields: [], oneofs: [], messages: [], enums: [], extends: [],
    reserved: { ranges: [], names: [] }, extensionRanges: [], options: [], span: name.span, nameSpan: name.span,
  };
  into.push(withDoc(message, keyword));
  try {
    parseMessageBody(c, message);
  } finally {
    message.span = c.spanFrom(keyword);
  }
}

/** The `{ ... }` of a message or group. */
export function parseMessageBody(c: Cursor, message: ProtoMessage): void {
  const ctx: FieldContext = { where: "message", fields: message.fields, messages: message.messages, parseBody: parseMessageBody };
  parseBlock(c, () => {
    const t = c.peek();
    const keyword = t.kind === "ident" ? t.text : "";
    switch (keyword) {
      case "message": return parseMessage(c, message.messages);
      case "enum": return parseEnum(c, message.enums);
      case "extend": return parseExtend(c, message.extends, message.messages);
      case "option": return void parseOptionStatement(c, message.options);
      case "oneof": return parseOneof(c, message);
      case "reserved": return parseReserved(c, message.reserved, MAX_FIELD_NUMBER);
      case "extensions": return parseExtensions(c, message);
      default: return parseField(c, ctx);
    }
  });
}

function parseOneof(c: Cursor, message: ProtoMessage): void {
  const keyword = c.next();
  const name = c.expectIdent("oneof name");
  const oneof: ProtoOneof = { name: name.text, fields: [], options: [], span: name.span };
  message.oneofs.push(withDoc(oneof, keyword));
  const ctx: FieldContext = { where: "oneof", fields: message.fields, messages: message.messages, oneof, parseBody: parseMessageBody };
  try {
    parseBlock(c, () => {
      if (c.atIdent("option")) parseOptionStatement(c, oneof.options);
      else parseField(c, ctx);
    });
  } finally {
    oneof.span = c.spanFrom(keyword);
  }
}

/** `extend Type { fields }` in a file or message; groups declared in it go into `messages`. */
export function parseExtend(c: Cursor, into: ProtoExtend[], messages: ProtoMessage[]): void {
  const keyword = c.next();
  const { name, span } = parseDottedName(c, "message name to extend", true);
  const extend: ProtoExtend = { extendee: name, fields: [], span: c.spanFrom(keyword) };
  extendeeSpans.set(extend, span);
  into.push(extend);
  const ctx: FieldContext = { where: "extend", fields: extend.fields, messages, parseBody: parseMessageBody };
  try {
    parseBlock(c, () => {
      if (c.atIdent("oneof")) c.fail("extension field (oneofs are not allowed in 'extend')");
      parseField(c, ctx);
    });
  } finally {
    extend.span = c.spanFrom(keyword);
  }
}



/** Per message: the options of each `extensions` statement's ranges, for `extensionRangeOptions`. */
function parseExtensions(c: Cursor, message: ProtoMessage): void {
  c.next();
  const before = message.extensionRanges.length;
  parseRanges(c, MAX_FIELD_NUMBER, message.extensionRanges);
  const options: ProtoOption[] = parseBracketOptions(c).map((o) => o.option);
  c.expectSemicolon();
  if (options.length > 0) {
    const all = (message.extensionRangeOptions ??= []);
    while (all.length < before) all.push([]);
    for (let i = before; i < message.extensionRanges.length; i++) all.push(options);
  } else if (message.extensionRangeOptions) {
    while (message.extensionRangeOptions.length < message.extensionRanges.length) message.extensionRangeOptions.push([]);
  }
}
