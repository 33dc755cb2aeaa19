#!/usr/bin/env node
// The kitewire command line; the implementation is src/cli/main.ts (bundled into dist/).
import { readFileSync } from "node:fs";
import { main } from "../dist/kitewire.cli.mjs";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
process.exitCode = await main({ args: process.argv.slice(2), version });
