/** The Thrift lexer: tokens, comments and docs, literals, and lexical errors. */
import { describe, expect, test } from "vitest";
import { DiagnosticBag, SourceText } from "../../../src/idl/diagnostics.js";
import { tokenize, trimDoc } from "../../../src/idl/thrift/lexer.js";

describe("lexer", () => {
  const lex = (text: string) => {
    const bag = new DiagnosticBag();
    const tokens = tokenize(new SourceText("t.thrift", text), bag);
    return { tokens, errors: bag.items.map((d) => d.message) };
  };

  test("tokens carry kind, text, decoded value and span", () => {
    const { tokens, errors } = lex("struct a.b_1 {\n  -0x1F +7 1e10 .5 'x'\n}");
    expect(errors).toEqual([]);
    expect(tokens.map((t) => [t.kind, t.text, t.value])).toEqual([
      ["word", "struct", undefined], ["word", "a.b_1", undefined], ["punct", "{", undefined],
      ["int", "-0x1F", -31n], ["int", "+7", 7n], ["double", "1e10", 1e10], ["double", ".5", 0.5],
      ["string", "'x'", "x"], ["punct", "}", undefined], ["eof", "", undefined],
    ]);
    expect(tokens[3]!.span).toEqual({ start: { file: "t.thrift", line: 2, column: 3 }, end: { file: "t.thrift", line: 2, column: 8 } });
  });

  test("dots belong to an identifier only between name characters", () => {
    const { tokens, errors } = lex("a.b. c");
    expect(tokens.map((t) => t.text)).toEqual(["a.b", "c", ""]);
    expect(errors).toEqual(["unexpected character '.'"]);
  });

  test("comments of all three kinds are skipped; /** */ becomes the next token's doc", () => {
    const { tokens } = lex("// line\n# unix\n/* block */ /**/ a /** doc\n * more\n */ b /** one */ /* plain */ c");
    expect(tokens.map((t) => [t.text, t.doc])).toEqual([["a", undefined], ["b", "doc\nmore"], ["c", "one"], ["", undefined]]);
  });

  test("trimDoc drops box stars and blank edge lines", () => {
    expect(trimDoc("*\n   * First line\n   *   indented\n   *\n   * last\n   ")).toBe("First line\n  indented\n\nlast");
    expect(trimDoc(" single ")).toBe("single");
  });

  test("string escapes, including \\u and surrogate pairs", () => {
    const { tokens, errors } = lex(String.raw`"a\n\t\r\\\"\'" 'it\'s' "\u00e9\uD83D\uDE00"`);
    expect(errors).toEqual([]);
    expect(tokens.slice(0, 3).map((t) => t.value)).toEqual(["a\n\t\r\\\"'", "it's", "é😀"]);
  });

  test("strings may span lines", () => {
    expect(lex('"one\ntwo"').tokens[0]!.value).toBe("one\ntwo");
  });

  test("numbers: signs, hex, exponents, and values beyond 2^53 stay exact", () => {
    const { tokens } = lex("9223372036854775807 -9223372036854775808 0x7fffffffffffffff -1.5E-3 +2.5e+2 1E5 007");
    expect(tokens.map((t) => t.value).slice(0, 7)).toEqual([
      9223372036854775807n, -9223372036854775808n, 9223372036854775807n, -1.5e-3, 250, 1e5, 7n,
    ]);
  });

  test("errors are reported and lexing continues", () => {
    const { tokens, errors } = lex('@ a "\\z" 0x "open');
    expect(errors).toEqual(["unexpected character '@'", "invalid escape sequence '\\z'", "hexadecimal literal has no digits", "unterminated string literal"]);
    expect(tokens.map((t) => t.kind)).toEqual(["word", "string", "int", "string", "eof"]);
  });

  test("an unterminated block comment is reported at its start", () => {
    const bag = new DiagnosticBag();
    tokenize(new SourceText("t.thrift", "a\n  /* never"), bag);
    expect(bag.items.map((d) => [d.message, d.span.start.line, d.span.start.column])).toEqual([["unterminated comment", 2, 3]]);
  });
});
