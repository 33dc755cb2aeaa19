/**
 * Reading a `FileDescriptorSet` — what `protoc --descriptor_set_out=x.binpb
 * --include_imports` or `buf build -o x.binpb` writes — into the same tree the `.proto`
 * parser produces, then running the same checker, so targets, presence, packed and the
 * rest are set exactly as for sources. Spans come from the set's `source_code_info` when
 * it has one (`protoc --include_source_info`), else they are the pseudo-position
 * `file:1:1`; `sources` is empty either way (a set holds no source text).
 *
 * The bytes are decoded with kitewire's `ProtobufReader` on the wasm engine (pass one,
 * or `init()` first so the default engine exists), using the built-in descriptor.proto
 * as the schema.
 */
import { DiagnosticBag } from "../diagnostics.js";
import type { Engine } from "../../wasm/engine.js";
import { getEngine } from "../../wasm/load.js";
import type { ProtoEnum, ProtoFile, ProtoMessage } from "./ast.js";
import { checkProto } from "./checker.js";
import { builtinSchema } from "./checker/options.js";
import { TreeBuilder, pseudoSpan } from "./descriptor/build.js";
import { type Decoded, Decoder, type TypeTable, all, one } from "./descriptor/decode.js";
import { decodeOptions, typeTable } from "./descriptor/options.js";
import type { ProtoProgram } from "./program.js";

/** Options of `loadDescriptorSet`. */
export interface DescriptorSetOptions {
  /** Engine to decode on (default: the one `init()` loaded). */
  engine?: Engine;
  /**
   * Files to list as `roots` (the program's "command line"). Default: the files no other
   * file of the set imports.
   */
  roots?: string[];
}

const OPTION_KINDS = ["File", "Message", "Field", "Oneof", "Enum", "EnumValue", "Service", "Method", "ExtensionRange"];

/** The built-in descriptor.proto's types, and decoders over them: made once, they hold no state of a set. */
interface DescriptorSchema {
  base: TypeTable;
  /** Keeps options as bytes until every file's extensions are known. */
  decoder: Decoder;
  plain: Decoder;
}
let descriptorSchema: DescriptorSchema | undefined;

function schemaDecoders(): DescriptorSchema {
  if (descriptorSchema !== undefined) return descriptorSchema;
  const base = new Map<string, ProtoMessage | ProtoEnum>();
  for (const sym of builtinSchema().symbols.values()) if (sym.kind === "message" || sym.kind === "enum") base.set(sym.fullName, sym.node);
  const decoder = new Decoder(base, new Set(OPTION_KINDS.map((k) => `google.protobuf.${k}Options`)));
  return (descriptorSchema = { base, decoder, plain: new Decoder(base) });
}

/** Reads a serialized `FileDescriptorSet` into a checked program. */
export function loadDescriptorSet(bytes: Uint8Array, options: DescriptorSetOptions = {}): ProtoProgram {
  const diagnostics = new DiagnosticBag();
  const files = new Map<string, ProtoFile>();
  const { base, decoder, plain } = schemaDecoders();
  const program: ProtoProgram = { roots: [], files, sources: new Map(), diagnostics: [] };
  // Outside the try below: a missing engine is the caller's mistake, not a malformed set.
  const engine = options.engine ?? getEngine();

  const messageOptions = base.get("google.protobuf.MessageOptions") as ProtoMessage;
  const malformed = (e: unknown, what: string): void =>
    diagnostics.error(pseudoSpan("<descriptor set>"), `malformed ${what}: ${e instanceof Error ? e.message : String(e)}`);
  const builder = new TreeBuilder((raw) => one<boolean>(plain.decodeBytes(raw, messageOptions, engine), "map_entry") === true);
  try {
    const set = decoder.decodeBytes(bytes, base.get("google.protobuf.FileDescriptorSet") as ProtoMessage, engine);
    for (const d of all<Decoded>(set, "file")) {
      const file = builder.build(d);
      if (files.has(file.file)) diagnostics.error(pseudoSpan(file.file), `the descriptor set holds '${file.file}' twice`);
      else files.set(file.file, file);
    }
  } catch (e) {
    malformed(e, "descriptor set");
    files.clear();
    program.diagnostics = diagnostics.sorted();
    return program;
  }
  const imported = new Set<string>();
  for (const file of files.values()) {
    for (const imp of file.imports) {
      if (files.has(imp.path)) {
        imp.resolved = imp.path;
        imported.add(imp.path);
      } else {
        diagnostics.error(imp.span, `import '${imp.path}' is not in the descriptor set (build it with --include_imports)`);
      }
    }
  }
  try {
    decodeOptions(builder.pending, [...files.values()], typeTable(files.values(), base), engine);
  } catch (e) {
    malformed(e, "options in descriptor set");
  }
  program.roots = options.roots ?? [...files.keys()].filter((f) => !imported.has(f));
  checkProto(files, diagnostics, { roots: [] });
  program.diagnostics = diagnostics.sorted();
  return program;
}
