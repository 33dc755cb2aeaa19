/** What the Thrift and Proto lexers share: stepping over a run of characters natively. */

/**
 * The offset where the run of `re` (sticky, matching the empty string too) starting at `p`
 * ends. A sticky regular expression steps over a run in native code, which the fuzzers'
 * instrumentation does not slow down character by character (tests/fuzz/README.md).
 */
export function skip(re: RegExp, text: string, p: number): number {
  re.lastIndex = p;
  re.test(text);
  return re.lastIndex;
}
