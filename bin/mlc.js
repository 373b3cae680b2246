#!/usr/bin/env node
// The `mlc` command. `mlc --help`, `-h`, `--version`, `-v` and bare `mlc` print the text that
// scripts/build.mjs captured from the real commander program (dist/cli-bundle/help.json), so the
// commonest call costs a bare Node start; every other call runs the bundled CLI. The captured text
// is used only when it still fits: same package version, and commander would wrap at 80 columns
// (not a terminal, or a terminal exactly 80 wide).
import { readFileSync } from "node:fs";

const argv = process.argv;
const arg = argv.length === 2 ? "" : argv.length === 3 ? argv[2] : null;
if (arg === null || !fastPath(arg)) await import("../dist/cli-bundle/main.js");

function fastPath(a) {
  const kind = a === "--help" || a === "-h" ? "help" : a === "--version" || a === "-v" ? "version" : a === "" ? "bare" : null;
  const stream = kind === "bare" ? process.stderr : process.stdout;
  if (!kind || (stream.isTTY && stream.columns !== 80)) return false;
  let text;
  try {
    text = JSON.parse(readFileSync(new URL("../dist/cli-bundle/help.json", import.meta.url), "utf8"));
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    if (text.version !== `${pkg.version}\n`) return false;
  } catch {
    return false;
  }
  if (kind !== "bare") process.stdout.write(text[kind]);
  else {
    process.stdout.write(text.bare.stdout);
    process.stderr.write(text.bare.stderr);
    process.exitCode = text.bare.status;
  }
  return true;
}
