/**
 * Generic calls from a FileDescriptorSet that protoc wrote (`--descriptor_set_out
 * --include_imports`): `loadIdlDescriptorSet` gives the same services, field tables and
 * JSON generic bytes (and idempotent marks) as `loadIdl` on the .proto sources, and protoc decodes those bytes
 * to the message the JSON describes.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { init, jsonToBytes, loadIdl, loadIdlDescriptorSet, type ProtoIdl } from "kitewire";
import { GOLDEN, readFile } from "../generic/support.js";

let dir: string;
beforeAll(async () => {
  await init();
  dir = mkdtempSync(join(tmpdir(), "kitewire-generic-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a protoc FileDescriptorSet describes what the sources describe", () => {
  const set = join(dir, "example.binpb");
  execFileSync("protoc", [`-I${GOLDEN}proto`, "--include_imports", `--descriptor_set_out=${set}`, "example.proto"]);
  const fromSet = loadIdlDescriptorSet(readFileSync(set));
  const fromSource = loadIdl([`${GOLDEN}proto/example.proto`], { readFile, includeDirs: [`${GOLDEN}proto`] }) as ProtoIdl;
  expect([...fromSet.services.keys()]).toEqual([...fromSource.services.keys()]);
  expect([...fromSet.messages.keys()].sort()).toEqual([...fromSource.messages.keys()].sort());
  const strip = (idl: ProtoIdl, name: string) => idl.messages.get(name)!.fields.map((f) => ({ ...f, type: f.type.kind }));
  for (const name of fromSource.messages.keys()) expect(strip(fromSet, name), name).toEqual(strip(fromSource, name));
  // The idempotency_level mark (GetUser: NO_SIDE_EFFECTS) comes through the set as through the sources.
  const marks = (idl: ProtoIdl) => [...idl.services.values()].flatMap((s) => Object.values(s.methods).map((m) => `${m.name}:${m.idempotent === true}`));
  expect(marks(fromSet)).toEqual(marks(fromSource));
  expect(marks(fromSet)).toContain("GetUser:true");

  const json = '{"id":"-5","name":"n","status":"STATUS_ACTIVE","labels":{"a":"b"},"email":"e@x","createdAt":"2024-01-02T03:04:05Z"}';
  const bytes = jsonToBytes(fromSet, "example.v1.User", json);
  expect(Buffer.from(bytes).toString("hex")).toBe(Buffer.from(jsonToBytes(fromSource, "example.v1.User", json)).toString("hex"));
  const text = execFileSync("protoc", [`-I${GOLDEN}proto`, "--decode=example.v1.User", "example.proto"], { input: bytes, cwd: `${GOLDEN}proto`, encoding: "utf8" });
  expect(text).toContain("id: -5");
  expect(text).toContain('labels {\n  key: "a"\n  value: "b"\n}');
  expect(text).toContain('email: "e@x"');
  expect(text).toContain("seconds: 1704164645");
});
