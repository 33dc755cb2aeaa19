import { describe, expect, it } from "vitest";
import { KitewireError, ErrorCode } from "../../src/errors.js";
import { consoleLogger, formatLine, getLogger, setLogger, silentLogger } from "../../src/observability/log/logger.js";
import { RateLimitedLog } from "../../src/observability/log/rate-limit.js";

describe("consoleLogger", () => {
  it("writes one line per entry with fields, quoting what needs it", () => {
    const lines: string[] = [];
    const log = consoleLogger({ sink: (l) => lines.push(l), level: "info" });
    log.debug("dropped");
    log.warn("connection closed", { peer: "127.0.0.1:5000", reason: "frame too large", offset: 0, gone: undefined });
    log.error("bad", { error: new KitewireError(ErrorCode.MALFORMED_FRAME, "bad magic", { offset: 4 }) });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT.* WARN connection closed peer=127.0.0.1:5000 reason="frame too large" offset=0$/);
    expect(lines[1]).toContain('error="MALFORMED_FRAME: bad magic (at byte 4)"');
  });

  it("formats bigints, objects and empty strings", () => {
    expect(formatLine("t", "info", "m", { a: 1n, b: { x: 1 }, c: "" })).toBe('t INFO m a=1 b="{\\"x\\":1}" c=""');
  });

  it("has a replaceable process default", () => {
    const before = getLogger();
    setLogger(silentLogger);
    expect(getLogger()).toBe(silentLogger);
    setLogger(before);
  });
});

describe("RateLimitedLog", () => {
  function setup(maxKeys = 256) {
    let now = 0;
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    const sink = { debug() {}, info() {}, error() {}, warn: (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields }) };
    const log = new RateLimitedLog(() => sink, { burst: 2, intervalMs: 1000, maxKeys, now: () => now });
    return { log, lines, advance: (ms: number) => (now += ms) };
  }

  it("lets a burst through per kind and reports what it held back", () => {
    const { log, lines, advance } = setup();
    for (let i = 0; i < 10_000; i++) log.log("warn", "garbage", "rejected", { n: i });
    log.log("warn", "oversize", "rejected");
    expect(lines.map((l) => l.fields?.n)).toEqual([0, 1, undefined]);
    advance(1000);
    log.log("warn", "garbage", "rejected", { n: -1 });
    expect(lines[3]).toEqual({ message: "rejected", fields: { n: -1, suppressed: 9998 } });
  });

  it("tracks a bounded number of kinds", () => {
    const { log, lines } = setup(4);
    for (let i = 0; i < 1000; i++) log.log("warn", `kind${i}`, "x");
    // 4 kinds of their own, then every other kind shares the overflow budget of 2.
    expect(lines.length).toBe(4 + 2);
  });
});
