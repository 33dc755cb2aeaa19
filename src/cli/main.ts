/**
 * The `kitewire` command: `gen`, `call`, `inspect`, `version`, `help`. `kitewire --help` and
 * `kitewire <command> --help` print usage on stdout and exit 0; a usage error exits 2 (no
 * command) or 1, with the reason on stderr.
 */
import { readFile } from "node:fs/promises";
import { KitewireError } from "../errors.js";
import { init } from "../runtime/node/index.js";
import { CALL_USAGE, runCall } from "./call.js";
import { GEN_USAGE, runGen, UsageError } from "./gen.js";
import { inspect, type InspectOptions } from "./inspect.js";

const USAGE = `usage: kitewire <command> [options]

commands:
  gen [-I DIR]... [-o OUTDIR] [--target ts|js] [-p PLUGIN]... [--no-ts] FILE...
      Check IDL files (.thrift, or .proto, or one FileDescriptorSet from protoc/buf) and
      write one module per file (includes and imports followed) into OUTDIR (default
      ./gen): TypeScript, or with --target js JavaScript plus .d.ts declarations.
      Plugins receive the checked program as JSON on stdin.
  call [-I DIR]... -f FILE... -m SERVICE/METHOD [-d JSON] [--transport T] [--protocol P]
       [--meta K=V]... [--timeout D] HOST:PORT   |   call --list -f FILE...
      Call one method of a Thrift or Protobuf service from its IDL, arguments and reply
      as JSON; or list the services and their methods.
  inspect [--protocol binary|compact|protobuf] [--framing NAME] [--framed] [--hex] [FILE]
      Print the framing and structure of one message read from FILE (or stdin) without
      its IDL; framing and protocol are detected unless given.
  version
      Print the version.
  help [COMMAND]
      Print this, or a command's usage (also: kitewire COMMAND --help).`;

const INSPECT_USAGE = `usage: kitewire inspect [--protocol binary|compact|protobuf] [--framing NAME] [--framed] [--hex] [FILE]

Print the structure of one message read from FILE (or stdin when FILE is absent or -)
without its IDL: the framing found around it (with its header), then field ids, wire
types and values. Input no framing explains is read as a bare message, or as a bare
struct (what encodeThrift writes).

options:
  -p, --protocol P   binary, compact or protobuf (default: detected)
  --framing NAME     buffered, framed, ttheader, ttheader-framed, theader, kitex-protobuf,
                     or none (a bare message or struct) (default: detected)
  --framed           --framing framed
  --hex              the input is hex text (whitespace ignored)
  -h, --help         print this and exit`;

const COMMAND_USAGE: Readonly<Record<string, string>> = { gen: GEN_USAGE, call: CALL_USAGE, inspect: INSPECT_USAGE, version: "usage: kitewire version" };

/** Whether a command's arguments ask for its usage (`-h` or `--help` anywhere). */
function wantsHelp(args: readonly string[]): boolean {
  return args.includes("-h") || args.includes("--help");
}

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
  if (command !== undefined && COMMAND_USAGE[command] !== undefined && wantsHelp(rest)) {
    out.write(COMMAND_USAGE[command] + "\n");
    return 0;
  }
  try {
    switch (command) {
      case "gen":
        return await runGen(rest, version, out, err);
      case "call":
        return await runCall(rest, out);
      case "inspect":
        out.write(await runInspect(rest) + "\n");
        return 0;
      case "version":
        out.write(`kitewire ${version}\n`);
        return 0;
      case "help": {
        const topic = rest[0] === undefined ? USAGE : COMMAND_USAGE[rest[0]];
        if (topic === undefined) {
          err.write(`kitewire help: unknown command ${JSON.stringify(rest[0])}\n${USAGE}\n`);
          return 2;
        }
        out.write(topic + "\n");
        return 0;
      }
      case "--help":
      case "-h":
        out.write(USAGE + "\n");
        return 0;
      case undefined:
        err.write(USAGE + "\n");
        return 2;
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
      err.write(`kitewire ${command}: ${error.message}\n(kitewire ${command} --help prints the usage)\n`);
      return 1;
    }
    throw error;
  }
}

const FRAMINGS = ["none", "buffered", "framed", "ttheader", "ttheader-framed", "theader", "kitex-protobuf"] as const;

async function runInspect(args: string[]): Promise<string> {
  const options: InspectOptions = {};
  let hex = false;
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--protocol" || arg === "-p") {
      const value = args[++i];
      if (value !== "binary" && value !== "compact" && value !== "protobuf") {
        throw new UsageError(`--protocol must be binary, compact or protobuf, not ${JSON.stringify(value)}`);
      }
      options.protocol = value;
    } else if (arg === "--framing") {
      const value = args[++i];
      if (!FRAMINGS.includes(value as never)) throw new UsageError(`--framing must be one of ${FRAMINGS.join(", ")}, not ${JSON.stringify(value)}`);
      options.framing = value as InspectOptions["framing"];
    } else if (arg === "--framed") options.framing = "framed";
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
  await init();
  return inspect(bytes, options);
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
