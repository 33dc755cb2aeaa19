/**
 * kitewire's generated code against Apache Thrift's Python: Debian's thrift-compiler
 * (0.17, /usr/bin/thrift) generates Python for tests/golden/thrift/example.thrift (with
 * base.thrift) and bench.thrift into a temporary directory, and one long-lived
 * /usr/bin/python3 process running python/thrift_codec.py (python3-thrift) encodes and
 * decodes for the whole file. Here "kitewire" is the built package (dist/, through the
 * package's own exports), as `npm run test:peers` builds it first.
 *
 * For each seed and type (every struct, union, exception and args/result struct that the
 * Python generator makes), a random value (tests/support/idl-values.ts, which also defines
 * the JSON the values cross in) goes both ways, in Binary (TBinaryProtocol, strict) and
 * Compact (TCompactProtocol), and for the types Python's C extension can handle, through
 * TBinaryProtocolAccelerated and TCompactProtocolAccelerated as well:
 *  - Python encodes it: the bytes must be kitewire's encoding of the same value; kitewire
 *    decodes them to that value; Python and kitewire each decode those bytes and re-encode
 *    what they got, to the same bytes.
 *  - kitewire encodes it: Python decodes the bytes to the same value (no bytes left over)
 *    and re-encodes them to kitewire's bytes.
 * And what kitewire returned (encodings, decoded values) must not change while it goes on
 * encoding and decoding other values: each type's run checks them again at its end.
 * Values read back have the IDL defaults for fields the wire leaves out (Address.city,
 * optional with default "Paris", reads as "Paris" in both), so re-encodings are compared
 * with each other, not with the first encoding.
 *
 * Where Python's output cannot match kitewire's byte for byte, the comparison says exactly
 * how it differs, and nothing else is relaxed:
 *  - Field order: Python's generated write() emits fields in field-id order, kitewire (like
 *    js:node) in IDL order, which differ for User (field -1, `legacy`, declared last). For
 *    types containing a User, Python's bytes are compared with kitewire's after
 *    `sortFields` (thrift-field-order.ts) moves kitewire's fields into id order; for every
 *    other type that is checked to be the identity.
 *  - Set order: a Python set iterates in hash-table order, whatever order it was built
 *    in, and an order that survives a rebuild need not exist (measured: about a quarter of
 *    random i64 sets reach no fixed order within ten rebuilds), so no order can be chosen
 *    that Python is sure to write back unchanged. The helper reports each set in
 *    the order Python iterates it, and Python's bytes are compared with kitewire's
 *    encoding of the value with its sets in that order (`reorderSets`); values are
 *    compared with sets unordered where Python's sets are involved. Dicts keep insertion
 *    order, so maps are compared in order everywhere.
 *  - Python's C extension (fastbinary) works from the generated `thrift_spec`, which
 *    Python's generator leaves empty for User (because of its negative field id): it
 *    writes a User as an empty struct. Types containing User are left out of the
 *    accelerated runs, and a test below pins the quirk.
 *
 * Without /usr/bin/thrift or python3-thrift this fails (it is not skipped), naming the
 * apt-get line. Reproduce a failure from the seed in its message (or KITEWIRE_SEED).
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeThrift, encodeThrift, init, type ThriftProtocol } from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";
import {
  ALL_STRUCTS, canonStruct, contains, decoded, expectSameBytes, expectUnchanged, generate, hasUnsortedFields, hex,
  reorderSets, schemaJson, unorderSets, User, type GenOptions, type JsonObject, type StructDef,
} from "../support/idl-values.js";
import { seeds } from "../support/random.js";
import { sortFields } from "./thrift-field-order.js";

const THRIFT = "/usr/bin/thrift";
const PYTHON = "/usr/bin/python3";
const APT = "sudo apt-get update && sudo apt-get install -y thrift-compiler python3-thrift";
const HELPER = fileURLToPath(new URL("./python/thrift_codec.py", import.meta.url));
const IDL = fileURLToPath(new URL("../golden/thrift/", import.meta.url));

const SEEDS = seeds(120);

/** Python can carry every value kitewire can: no constraint on the generator. */
const GEN: GenOptions = { negativeZero: true, nan: true, jsObjectKeys: false };

type PyProtocol = "binary" | "compact" | "binary-accel" | "compact-accel";

interface Reply { id: number; ok: boolean; error?: string; hex?: string; value?: JsonObject; consumed?: boolean }

/** The Python helper: one process, requests pipelined, answers in order. */
class PythonPeer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, { resolve(r: Reply): void; reject(e: Error): void }>();
  private nextId = 0;
  private partial = "";
  private stderr = "";
  private readonly exited: Promise<void>;

  constructor(genDir: string) {
    this.proc = spawn(PYTHON, [HELPER, genDir], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.setEncoding("utf8");
    this.proc.stdout.on("data", (chunk: string) => {
      this.partial += chunk;
      for (let nl = this.partial.indexOf("\n"); nl >= 0; nl = this.partial.indexOf("\n")) {
        const reply = JSON.parse(this.partial.slice(0, nl)) as Reply;
        this.partial = this.partial.slice(nl + 1);
        const w = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        if (reply.ok) w?.resolve(reply);
        else w?.reject(new Error(`the Python helper failed:\n${reply.error}`));
      }
    });
    this.proc.stderr.setEncoding("utf8");
    this.proc.stderr.on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      const fail = (why: string) => {
        for (const w of this.waiting.values()) w.reject(new Error(`${why}\n${this.stderr}`));
        this.waiting.clear();
        resolve();
      };
      this.proc.on("exit", (code, signal) => fail(`the Python helper exited (${code ?? signal})`));
      this.proc.on("error", (e) => fail(`the Python helper could not run: ${e.message}`));
    });
  }

  request(req: Record<string, unknown>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.proc.stdin.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  async encode(protocol: PyProtocol, def: StructDef, value: JsonObject): Promise<{ bytes: Uint8Array; value: JsonObject }> {
    const r = await this.request({ op: "encode", protocol, type: def.name, value });
    return { bytes: Uint8Array.from(Buffer.from(r.hex!, "hex")), value: r.value! };
  }

  async decode(protocol: PyProtocol, def: StructDef, bytes: Uint8Array): Promise<{ value: JsonObject; consumed: boolean; bytes: Uint8Array }> {
    const r = await this.request({ op: "decode", protocol, type: def.name, hex: hex(bytes) });
    return { value: r.value!, consumed: r.consumed!, bytes: Uint8Array.from(Buffer.from(r.hex!, "hex")) };
  }

  async close(): Promise<void> {
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill(), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

function requirePeers(): void {
  const missing: string[] = [];
  if (!existsSync(THRIFT)) missing.push(`${THRIFT} (thrift-compiler)`);
  if (!existsSync(PYTHON)) missing.push(PYTHON);
  else {
    try {
      execFileSync(PYTHON, ["-c", "import thrift.protocol.fastbinary, thrift.protocol.TCompactProtocol"], { stdio: "pipe" });
    } catch (e) {
      missing.push(`python3-thrift for ${PYTHON} (${String((e as { stderr?: Buffer }).stderr ?? e).trim().split("\n").pop()})`);
    }
  }
  if (missing.length) {
    throw new Error(`The Apache Thrift Python peer tests need ${missing.join(" and ")}. Install them with:\n  ${APT}`);
  }
}

let py: PythonPeer | undefined;
let genDir: string | undefined;
/** Why the peer could not be set up: every test fails with it (none is skipped). */
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    requirePeers();
    await init();
    genDir = mkdtempSync(join(tmpdir(), "kitewire-py-"));
    for (const file of ["example.thrift", "bench.thrift"]) {
      execFileSync(THRIFT, ["-r", "--gen", "py", "-out", genDir, join(IDL, file)], { stdio: "pipe" });
    }
    py = new PythonPeer(genDir);
    await py.request({ op: "schema", structs: schemaJson() });
  } catch (e) {
    setupError = e instanceof Error ? e : new Error(String(e));
  }
});

function peer(): PythonPeer {
  if (setupError || !py) throw setupError ?? new Error("the Python peer was not set up");
  return py;
}

afterAll(async () => {
  await py?.close();
  if (genDir) rmSync(genDir, { recursive: true, force: true });
});

/**
 * Python's bytes for a value it holds as `pyValue` against kitewire's encoding of the same
 * value `kwValue`, with its sets in Python's order and its fields in id order.
 */
function expectPythonBytes(def: StructDef, p: ThriftProtocol, pyBytes: Uint8Array, pyValue: JsonObject, kwValue: unknown, what: string) {
  const kw = sortFields(encodeThrift(def.codec, reorderSets(def, kwValue, pyValue), p), p);
  const name = hasUnsortedFields(def) ? "kitewire (fields moved into id order)" : "kitewire";
  expectSameBytes(pyBytes, kw, ["Python", name], what);
}

/** Counts, logged at the end: cases, re-encodings compared with the original bytes, set orders Python changed, Users. */
const stats = { cases: 0, exact: 0, setOrderChanged: 0, fieldsMoved: 0 };

/** Runs `fn`, putting the case into the message of whatever it throws. */
function withCase<T>(what: string, seed: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error && !e.message.includes(`seed ${seed}`)) e.message = `${what}: ${e.message}`;
    throw e;
  }
}

function tagged<T>(what: string, seed: number, promise: Promise<T>): Promise<T> {
  return promise.catch((e: unknown) => withCase(what, seed, () => {
    throw e;
  }));
}

interface Case {
  seed: number;
  what: string;
  value: unknown;
  json: JsonObject;
  kw: Uint8Array;
  /** kw as encodeThrift returned it. */
  kwHex: string;
}

/**
 * All seeds of one type and protocol: kitewire's work happens in seed order, in
 * synchronous phases, and Python's requests are pipelined between them, so a run does
 * the same thing in the same order every time.
 */
async function runType(def: StructDef, protocol: PyProtocol, p: ThriftProtocol): Promise<void> {
  const py = peer();
  // 1. kitewire encodes each value.
  const cases: Case[] = SEEDS.map((seed) => {
    const what = `seed ${seed}, ${def.name}, ${protocol}`;
    return withCase(what, seed, () => {
      const value = generate(def, seed, GEN);
      const kw = encodeThrift(def.codec, value, p);
      return { seed, what, value, json: canonStruct(def, value), kw, kwHex: hex(kw) };
    });
  });
  // 2. Python encodes each value and decodes kitewire's bytes (as they were returned).
  const fromPeer = await Promise.all(cases.map((c) => tagged(c.what, c.seed, Promise.all([
    py.encode(protocol, def, c.json),
    py.decode(protocol, def, Uint8Array.from(Buffer.from(c.kwHex, "hex"))),
  ]))));
  // 3. Python decodes its own bytes.
  const again = await Promise.all(fromPeer.map(([enc], i) =>
    tagged(cases[i]!.what, cases[i]!.seed, py.decode(protocol, def, enc.bytes))));
  // 4. The comparisons.
  const held: { c: Case; decoded: unknown; canon: string }[] = [];
  cases.forEach((c, i) => withCase(c.what, c.seed, () => {
    const [enc, fromKw] = fromPeer[i]!;
    const fromPy = again[i]!;
    const { what, value, json, kw } = c;
    expectUnchanged(kw, c.kwHex, `${what}: kitewire's encoding, after later encodes`);

    // Python encodes.
    expect(unorderSets(def, enc.value), `${what}: the value Python built`).toEqual(unorderSets(def, json));
    expectPythonBytes(def, p, enc.bytes, enc.value, value, `${what}: Python's encoding`);
    const back = decodeThrift(def.codec, enc.bytes, p);
    const backCanon = canonStruct(def, back);
    expect(backCanon, `${what}: kitewire decoding Python's bytes`).toEqual(decoded(def, enc.value));
    held.push({ c, decoded: back, canon: JSON.stringify(backCanon) });
    expect(fromPy.consumed, `${what}: Python read all of its own bytes`).toBe(true);
    expect(unorderSets(def, fromPy.value), `${what}: Python decoding its own bytes`)
      .toEqual(unorderSets(def, decoded(def, enc.value)));
    expectPythonBytes(def, p, fromPy.bytes, fromPy.value, back, `${what}: Python and kitewire re-encoding Python's bytes`);
    // Where decoding filled in no default, kitewire's re-encoding is Python's bytes themselves.
    if (JSON.stringify(decoded(def, enc.value)) === JSON.stringify(enc.value)) {
      expectSameBytes(sortFields(encodeThrift(def.codec, back, p), p), enc.bytes, ["kitewire's re-encoding", "Python"],
        `${what}: kitewire re-encoding Python's bytes`);
      stats.exact++;
    }

    // kitewire encodes.
    expect(fromKw.consumed, `${what}: Python read all of kitewire's bytes`).toBe(true);
    expect(unorderSets(def, fromKw.value), `${what}: Python decoding kitewire's bytes`)
      .toEqual(unorderSets(def, decoded(def, json)));
    const kwBack = decodeThrift(def.codec, kw, p);
    expect(canonStruct(def, kwBack), `${what}: kitewire round trip`).toEqual(decoded(def, json));
    expectPythonBytes(def, p, fromKw.bytes, fromKw.value, kwBack, `${what}: Python and kitewire re-encoding kitewire's bytes`);
    // Where decoding filled in no default and Python kept every set's order, its re-encoding is kitewire's bytes.
    if (JSON.stringify(fromKw.value) === JSON.stringify(json)) {
      expectSameBytes(fromKw.bytes, sortFields(kw, p), ["Python's re-encoding", "kitewire"], `${what}: Python re-encoding kitewire's bytes`);
      stats.exact++;
    }

    const sorted = sortFields(kw, p);
    if (!hasUnsortedFields(def)) expectSameBytes(sorted, kw, ["sortFields(kitewire)", "kitewire"], `${what}: sortFields identity`);
    else if (hex(sorted) !== hex(kw)) stats.fieldsMoved++;
    if (JSON.stringify(fromKw.value) !== JSON.stringify(decoded(def, json))) stats.setOrderChanged++;
    stats.cases++;
  }));
  // 5. What kitewire returned earlier is still what it was.
  for (const { c, decoded: v, canon } of held) {
    expectUnchanged(c.kw, c.kwHex, `${c.what}: kitewire's encoding, after later encodes and decodes`);
    expect(canonStruct(def, v), `${c.what}: a value kitewire decoded, after later encodes and decodes`).toEqual(JSON.parse(canon));
  }
}

const RUNS: [PyProtocol, ThriftProtocol, StructDef[]][] = [
  ["binary", "binary", ALL_STRUCTS.filter((d) => d.py !== null)],
  ["compact", "compact", ALL_STRUCTS.filter((d) => d.py !== null)],
  // fastbinary cannot write a User (see the header).
  ["binary-accel", "binary", ALL_STRUCTS.filter((d) => d.py !== null && !contains(d, User))],
  ["compact-accel", "compact", ALL_STRUCTS.filter((d) => d.py !== null && !contains(d, User))],
];

describe.each(RUNS)("generated code vs Apache Thrift Python, %s", (protocol, p, defs) => {
  test.each(defs.map((d) => [d.name, d] as const))("%s", async (_, def) => {
    await runType(def, protocol, p);
  });
});

test("Debian's thrift-compiler and python3-thrift are installed, and the helper runs", () => {
  peer();
});

describe("Python peer quirks", () => {
  test("Python writes User's field -1 first, kitewire (like js:node) in IDL order, last", async () => {
    const py = peer();
    const user = ex.User.create({ id: 7n, name: "n", legacy: 5 });
    for (const p of ["binary", "compact"] as const) {
      const kw = encodeThrift(User.codec, user, p);
      const { bytes } = await py.encode(p, User, canonStruct(User, user));
      // The i32 field -1 = 5: Binary 08 ffff 00000005; Compact long form 05 01 (zigzag -1), 0a (zigzag 5).
      const legacy = p === "binary" ? "08ffff00000005" : "05010a";
      expect(hex(bytes).startsWith(legacy), `${p}: Python starts with field -1`).toBe(true);
      expect(hex(kw).endsWith(`${legacy}00`), `${p}: kitewire ends with field -1`).toBe(true);
      expectSameBytes(bytes, sortFields(kw, p), ["Python", "kitewire (fields moved into id order)"], p);
    }
  });

  test("Python's C extension writes a User as an empty struct (its generated thrift_spec is empty)", async () => {
    const py = peer();
    const user = canonStruct(User, generate(User, 1, GEN));
    for (const p of ["binary-accel", "compact-accel"] as const) {
      expect(hex((await py.encode(p, User, user)).bytes), p).toBe("00");
    }
  });

  test("every case ran", () => {
    peer();
    const expected = SEEDS.length * RUNS.reduce((n, [, , defs]) => n + defs.length, 0);
    console.log(`python-thrift: ${stats.cases} cases; ${stats.exact} re-encodings equal to the original bytes;` +
      ` Python changed a set's order in ${stats.setOrderChanged}; fields moved into id order in ${stats.fieldsMoved}`);
    expect(stats.cases).toBe(expected);
  });
});
