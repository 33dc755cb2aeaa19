/**
 * Resolvers without a network: static lists, target strings, the in-memory registry, the
 * DNS resolver on fake lookups and a fake clock, and registry-etcd's value format (what a
 * Go Kitex server writes, byte for byte, and how its resolver reads values).
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  decodeEtcdValue, dnsResolver, encodeEtcdValue, etcdInstanceKey, KitewireError, makeInstance, MemoryRegistry,
  resolverForTarget, silentLogger, staticResolver, type DnsLookups, type Instance, type Logger,
} from "kitewire";

const addresses = (list: readonly Instance[]) => list.map((i) => i.address);

/** A logger that keeps its lines. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: object) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

describe("static lists and targets", () => {
  test("a static list keeps weights and tags; defaults weight 10", async () => {
    const r = staticResolver(["127.0.0.1:1", { address: "[::1]:2", weight: 3, tags: { idc: "a" } }]);
    expect(await r.resolve()).toEqual([
      { address: "127.0.0.1:1", weight: 10, tags: {} },
      { address: "[::1]:2", weight: 3, tags: { idc: "a" } },
    ]);
  });

  test("bad instances are typed errors", () => {
    expect(() => makeInstance("nohost")).toThrow(/not host:port/);
    expect(() => makeInstance("::1:80")).toThrow(/not host:port/);
    expect(() => makeInstance("h:99999")).toThrow(/not host:port/);
    expect(() => makeInstance("h:1", 0)).toThrow(/weight must be a positive integer/);
    expect(() => makeInstance("h:1", 1.5)).toThrow(KitewireError);
  });

  test("host:port and comma lists are static targets; an unknown scheme lists the known forms", async () => {
    const ctx = { logger: silentLogger };
    expect(addresses(await resolverForTarget("127.0.0.1:8888", ctx).resolve())).toEqual(["127.0.0.1:8888"]);
    expect(addresses(await resolverForTarget("a:1, b:2", ctx).resolve())).toEqual(["a:1", "b:2"]);
    expect(() => resolverForTarget("zk://127.0.0.1:2181/echo", ctx)).toThrow(
      'unknown target scheme "zk" in "zk://127.0.0.1:2181/echo"; target forms: host:port[,host:port...], dns://, etcd://');
    expect(() => resolverForTarget("etcd://127.0.0.1:2379", ctx)).toThrow(/is not etcd:\/\/host:port/);
    expect(() => resolverForTarget("etcd://127.0.0.1:2379/", ctx)).toThrow(/is not etcd:\/\/host:port/);
    expect(() => resolverForTarget("dns://bad name:1", ctx)).toThrow(/is not dns:\/\/name/);
    expect(resolverForTarget("etcd://127.0.0.1:2379,127.0.0.2:2379/echo?prefix=x", ctx).target).toBe("etcd://127.0.0.1:2379,127.0.0.2:2379/echo");
  });
});

describe("memory registry", () => {
  test("its resolvers see registrations and deregistrations at once", async () => {
    const registry = new MemoryRegistry();
    const r = registry.resolver("echo");
    expect(await r.resolve()).toEqual([]);
    const seen: string[][] = [];
    r.watch((list) => seen.push(addresses(list)));
    await registry.register({ service: "echo", address: "127.0.0.1:1", weight: 2 });
    await registry.register({ service: "other", address: "127.0.0.1:9" });
    await registry.register({ service: "echo", address: "127.0.0.1:2" });
    await registry.deregister({ service: "echo", address: "127.0.0.1:1" });
    expect(seen).toEqual([["127.0.0.1:1"], ["127.0.0.1:1", "127.0.0.1:2"], ["127.0.0.1:2"]]);
    await r.close();
    await registry.register({ service: "echo", address: "127.0.0.1:3" });
    expect(seen.length).toBe(3);
  });
});

describe("DNS resolver (fake lookups, fake clock)", () => {
  afterEach(() => vi.useRealTimers());

  function fakeDns() {
    const state = {
      srv: [] as { name: string; port: number; priority: number; weight: number }[],
      addresses: ["10.0.0.2", "10.0.0.1"] as string[],
      fail: false,
      lookups: 0,
    };
    const noData = Object.assign(new Error("queryNoData"), { code: "ENODATA" });
    const lookups: DnsLookups = {
      srv: async () => {
        state.lookups++;
        if (state.fail) throw Object.assign(new Error("timeout"), { code: "ETIMEOUT" });
        if (state.srv.length === 0) throw noData;
        return state.srv;
      },
      addresses: async () => {
        if (state.fail) throw Object.assign(new Error("timeout"), { code: "ETIMEOUT" });
        return state.addresses;
      },
    };
    return { state, lookups };
  }

  test("A/AAAA at the port, sorted; looked up again every refreshMs; changes reach watchers; failures keep the last list, logged once", async () => {
    vi.useFakeTimers();
    const { state, lookups } = fakeDns();
    const logger = recordingLogger();
    const r = dnsResolver({ host: "echo.internal", port: 8888, refreshMs: 5_000, lookups, logger });
    expect(addresses(await r.resolve())).toEqual(["10.0.0.1:8888", "10.0.0.2:8888"]);
    const seen: string[][] = [];
    r.watch((list) => seen.push(addresses(list)));
    state.addresses = ["10.0.0.1", "10.0.0.2"]; // same set, another order: no change
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen).toEqual([]);
    state.addresses = ["10.0.0.3", "::1"];
    await vi.advanceTimersByTimeAsync(4_999);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([["10.0.0.3:8888", "[::1]:8888"]]);
    state.fail = true;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(seen.length).toBe(1);
    expect(logger.lines.filter((l) => l.startsWith("warn")).length).toBe(1);
    state.fail = false;
    state.addresses = ["10.0.0.4"];
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen.at(-1)).toEqual(["10.0.0.4:8888"]);
    expect(logger.lines.at(-1)).toMatch(/^info DNS lookups succeed again/);
    await r.close();
    const before = state.lookups;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(state.lookups).toBe(before);
  });

  test("SRV records win where present: lowest priority only, SRV weights", async () => {
    const { state, lookups } = fakeDns();
    state.srv = [
      { name: "a.internal", port: 7001, priority: 10, weight: 5 },
      { name: "b.internal", port: 7002, priority: 10, weight: 0 },
      { name: "backup.internal", port: 7003, priority: 20, weight: 100 },
    ];
    const r = dnsResolver({ host: "_echo._tcp.internal", lookups, logger: silentLogger });
    expect(await r.resolve()).toEqual([
      { address: "a.internal:7001", weight: 5, tags: {} },
      { address: "b.internal:7002", weight: 1, tags: {} },
    ]);
    await r.close();
  });

  test("a name that cannot be resolved at start is a CONNECTION error naming it; without SRV a port is needed", async () => {
    const { state, lookups } = fakeDns();
    state.fail = true;
    const r = dnsResolver({ host: "echo.internal", port: 1, lookups, logger: silentLogger });
    await expect(r.resolve()).rejects.toMatchObject({ code: "CONNECTION", message: "cannot resolve dns://echo.internal:1: timeout" });
    state.fail = false;
    expect(addresses(await r.resolve())).toEqual(["10.0.0.1:1", "10.0.0.2:1"]); // tried again
    await r.close();
    await expect(dnsResolver({ host: "echo.internal", lookups, logger: silentLogger }).resolve()).rejects.toThrow(/no SRV records and the target gives no port/);
  });
});

describe("registry-etcd format", () => {
  test("keys and values are what a Go Kitex server writes, byte for byte", () => {
    expect(etcdInstanceKey("kitex/registry-etcd", "echo", "127.0.0.1:8888")).toBe("kitex/registry-etcd/echo/127.0.0.1:8888");
    // Go: json.Marshal(&instanceInfo{Network: "tcp", Address: "127.0.0.1:8888", Weight: 10, Tags: nil})
    expect(encodeEtcdValue({ address: "127.0.0.1:8888", weight: 10 })).toBe('{"network":"tcp","address":"127.0.0.1:8888","weight":10,"tags":null}');
    // map keys sorted; HTML-safe escapes; U+2028; quotes and backslashes; non-ASCII as is
    expect(encodeEtcdValue({ address: "[::1]:1", weight: 3, tags: { zone: "b", idc: "<a&b>", note: "q\"\\\u2028é" } })).toBe(
      '{"network":"tcp","address":"[::1]:1","weight":3,"tags":{"idc":"\\u003ca\\u0026b\\u003e","note":"q\\"\\\\\\u2028é","zone":"b"}}');
    expect(encodeEtcdValue({ address: "h:1", weight: 1, tags: {} })).toBe('{"network":"tcp","address":"h:1","weight":1,"tags":{}}');
  });

  test("values are read as registry-etcd reads them", () => {
    const ok = (text: string) => {
      const d = decodeEtcdValue(text);
      if (!("instance" in d)) throw new Error(d.error);
      return d.instance;
    };
    expect(ok('{"network":"tcp","address":"10.0.0.1:8888","weight":0,"tags":null}')).toEqual({ address: "10.0.0.1:8888", weight: 10, tags: {} });
    expect(ok('{"address":"10.0.0.1:8888","weight":-4}').weight).toBe(10);
    expect(ok('{"address":"10.0.0.1:8888"}').weight).toBe(10);
    expect(ok('{"Address":"10.0.0.1:1","WEIGHT":7,"Tags":{"idc":"a"},"extra":1}')).toEqual({ address: "10.0.0.1:1", weight: 7, tags: { idc: "a" } });
    for (const [text, why] of [
      ["not json", /not JSON/], ["[]", /not a JSON object/], ['{"weight":1}', /no address/], ['{"address":""}', /no address/],
      ['{"address":"x:1","weight":"1"}', /weight is not an integer/], ['{"address":"x:1","weight":1.5}', /weight is not an integer/],
      ['{"address":"x:1","tags":{"a":1}}', /tags is not an object of strings/], ['{"address":"nohost"}', /not host:port/],
    ] as const) {
      const d = decodeEtcdValue(text);
      expect("error" in d && d.error).toMatch(why);
    }
  });
});
