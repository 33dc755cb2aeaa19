/**
 * The `kitewire` command. Subcommands:
 *   inspect [--protocol binary|compact|protobuf] [--framed] [--hex] [FILE]
 *   version
 */
import { readFile } from "node:fs/promises";
import { KitewireError } from "../errors.js";
import { init } from "../runtime/node/index.js";
import { runGen, UsageError } from "./gen.js";
import { inspect, type InspectProtocol } from "./inspect.js";

const USAGE = `usage: kitewire <command>

commands:
  gen [-I DIR]... [-o OUTDIR] [-p PLUGIN[:key=value,...]]... [--no-ts] FILE...
      Check IDL files (.thrift, or .proto, or one FileDescriptorSet from protoc/buf) and
      write one TypeScript module per file (includes and imports followed) into OUTDIR
      (default ./gen). Plugins receive the checked program as JSON on stdin and
      answer {"files":[{"path","content"}]} on stdout.
  inspect [--protocol binary|compact|protobuf] [--framed] [--hex] [FILE]
      Print the structure of one message read from FILE (or stdin) without its IDL.
      --framed  skip a 4-byte frame length first; --hex  the input is hex text.
  version
      Print the version.`;

/** How the CLI was started: its arguments (without node and the script) and streams. */
export interface CliContext {
  args: string[];
  version: string;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

/** Runs the CLI; resolves to the exit code. */
export async function main({ args, version, out = process.stdout, err = process.stderr }: CliContext): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "gen":
        return await runGen(rest, version, out, err);
      case "inspect":
        out.write(await runInspect(rest) + "\n");
        return 0;
      case "version":
        out.write(`kitewire ${version}\n`);
        return 0;
      case undefined:
      case "help":
      case "--help":
        out.write(USAGE + "\n");
        return command === undefined ? 2 : 0;
      default:
        err.write(`kitewire: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof KitewireError) {
      err.write(`kitewire ${command}: ${error.code}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError) {
      err.write(`kitewire ${command}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function runInspect(args: string[]): Promise<string> {
  let protocol: InspectProtocol = "binary";
  let framed = false;
  let hex = false;
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--protocol" || arg === "-p") {
      const value = args[++i];
      if (value !== "binary" && value !== "compact" && value !== "protobuf") {
        throw new UsageError(`--protocol must be binary, compact or protobuf, not ${JSON.stringify(value)}`);
      }
      protocol = value;
    } else if (arg === "--framed") framed = true;
    else if (arg === "--hex") hex = true;
    else if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
    else file = arg;
  }
  let bytes: Uint8Array = file === undefined || file === "-" ? await readStdin() : await readFile(file);
  if (hex) {
    const digits = new TextDecoder().decode(bytes).replace(/\s+/g, "");
    if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new UsageError("--hex input is not an even run of hex digits");
    bytes = Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
  }
  if (framed) {
    if (bytes.length < 4) throw new UsageError("--framed input is shorter than its 4-byte length");
    const size = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    if (size !== bytes.length - 4) throw new UsageError(`frame length says ${size} bytes, ${bytes.length - 4} follow`);
    bytes = bytes.subarray(4);
  }
  await init();
  return inspect(bytes, protocol);
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
