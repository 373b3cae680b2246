// Files the CLI writes where a flag says (`compile --out DIR`, `viz --out FILE`): a path that
// cannot be written is the user's mistake, so it is a usage error (exit 2) naming the flag and
// saying why, never an internal error with an errno trace.
import { lstatSync } from "node:fs";
import { ensureDir } from "../catalog/atomic.js";
import { UsageError } from "./exit.js";

const WHY: Record<string, string> = {
  EEXIST: "a file is in the way of a folder",
  ENOTDIR: "a parent of it is a file, not a folder",
  EISDIR: "it is a folder, not a file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  ENOENT: "the folder cannot be created there",
  ENAMETOOLONG: "the name is too long",
};

/** Runs `write` (which creates folders with ensureDir and writes files) with fs errors as UsageErrors for `flag value`. */
export async function writeForFlag(
  flag: string,
  value: string,
  write: (ensure: (dir: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  try {
    await write(ensureDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) throw err;
    throw new UsageError(`${flag} ${value}: cannot write there: ${WHY[code] ?? (err as Error).message} (${code})`);
  }
}

/**
 * Refuses to replace anything but a regular file (or a symlink) at `file`: the atomic write renames
 * over its target, and as root `viz --out /dev/full` replaced the device node with a page.
 */
export function assertReplaceable(flag: string, value: string, file: string): void {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(file, { throwIfNoEntry: false });
  } catch {
    return; // ENOTDIR and the like: the write that follows reports it (writeForFlag)
  }
  if (!st || st.isFile() || st.isSymbolicLink()) return;
  const what = st.isDirectory() ? "a folder" : "a device, FIFO or socket";
  throw new UsageError(`${flag} ${value}: ${file} is ${what}, not a regular file; refusing to replace it`);
}
