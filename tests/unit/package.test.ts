/** What the published package holds: the license package.json names, the README, the bundles and the command. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";

test("npm pack ships LICENSE, the Apache-2.0 text package.json names", () => {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { license: string };
  expect(pkg.license).toBe("Apache-2.0");
  const license = readFileSync("LICENSE", "utf8");
  expect(license).toContain("Apache License\n                           Version 2.0, January 2004");
  expect(license).toContain("END OF TERMS AND CONDITIONS");
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8" })) as
    [{ files: { path: string }[] }];
  const paths = packed.files.map((f) => f.path);
  for (const path of ["LICENSE", "README.md", "package.json", "bin/kitewire.mjs", "dist/kitewire.node.mjs", "dist/kitewire.cli.mjs"]) {
    expect(paths).toContain(path);
  }
});
