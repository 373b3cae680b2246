#!/usr/bin/env node
// The `mlc` command. `mlc --help`, `-h`, `--version`, `-v` and bare `mlc` print the text that
// scripts/build.mjs captured from the real commander program (dist/cli-bundle/help.json), so the
// commonest call costs a bare Node start; every other call imports the bundled CLI. The captured
// text is used only when it still fits: same package version, and commander would wrap at 80
// columns (not a terminal, or a terminal exactly 80 wide).
// CommonJS on purpose (bin/package.json): an ES module entry costs ~4 ms more to start, and plain
// fd writes, because creating process.stdout (a stream) costs more than the rest of this path.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const argv = process.argv;
const arg = argv.length === 2 ? "" : argv.length === 3 ? argv[2] : null;
if (arg === null || !fastPath(arg)) {
  // A dist/ built before the bundle existed still runs, from the one-to-one build.
  import("../dist/cli-bundle/main.js").catch((e) => {
    if (e && e.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("cli-bundle"))
      return import("../dist/cli/main.js");
    throw e;
  });
}

function fastPath(a) {
  const kind =
    a === "--help" || a === "-h" ? "help" : a === "--version" || a === "-v" ? "version" : a === "" ? "bare" : null;
  if (!kind) return false;
  const fd = kind === "bare" ? 2 : 1;
  if (isTerminal(fd) && (fd === 2 ? process.stderr : process.stdout).columns !== 80) return false;
  let text;
  try {
    text = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "dist", "cli-bundle", "help.json"), "utf8"));
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
    if (text.version !== `${pkg.version}\n`) return false;
  } catch {
    return false;
  }
  if (kind === "bare") {
    write(2, text.bare.stderr, () => process.stderr);
    process.exitCode = text.bare.status;
  } else write(1, text[kind], () => process.stdout);
  return true;
}

/** isatty without loading node:tty (~2 ms) unless `fd` is a character device other than /dev/null. */
function isTerminal(fd) {
  const st = fs.fstatSync(fd, { throwIfNoEntry: false });
  if (!st || !st.isCharacterDevice()) return false;
  const devNull = fs.statSync("/dev/null", { throwIfNoEntry: false });
  if (devNull && devNull.rdev === st.rdev) return false;
  return require("node:tty").isatty(fd);
}

/**
 * Writes all of `s` to `fd`; a non-blocking pipe that is full (EAGAIN) gets the rest through the
 * stream, and a reader that went away (EPIPE, `mlc --help | true`) ends the output quietly.
 */
function write(fd, s, stream) {
  const buf = Buffer.from(s);
  let off = 0;
  try {
    while (off < buf.length) off += fs.writeSync(fd, buf, off);
  } catch (e) {
    if (e && e.code === "EPIPE") return;
    if (!e || e.code !== "EAGAIN") throw e;
    stream().write(buf.subarray(off));
  }
}
