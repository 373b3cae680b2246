// Dataset factories (Kedro): catalog keys with `{placeholder}`s match dataset names; the best
// match fills the placeholders into every string of its entry. Ranking as Kedro: most literal
// characters first, then fewest placeholders, then alphabetical.
import { posix } from "node:path";
import type { DatasetConfig } from "./types.js";

/** A compiled factory pattern. */
export interface Factory {
  readonly pattern: string;
  readonly regex: RegExp;
  readonly literal: number;
  readonly placeholders: number;
  /** Literal text before the first and after the last placeholder: a cheap test before the regex. */
  readonly prefix: string;
  readonly suffix: string;
  /** Placeholder names in capture-group order (a repeated name is one group). */
  readonly names: readonly string[];
}

/** A successful match: the factory, the filled config, and strings whose filling left the project. */
export interface FactoryMatch {
  readonly pattern: string;
  readonly config: DatasetConfig;
  readonly escaping: string[];
  /** Placeholders in path values that the pattern does not define (`{c}` in "{a}_{b}"). */
  readonly unknown: string[];
}

const PLACEHOLDER_SRC = "\\{([A-Za-z_][A-Za-z0-9_]*)(?::[^{}]*)?\\}";
/** A fresh global regex each time: a shared one carries `lastIndex` between calls. */
const placeholders = (): RegExp => new RegExp(PLACEHOLDER_SRC, "g");

/** Non-global, so test() keeps no state between calls and can be shared. */
const HAS_PLACEHOLDER = new RegExp(PLACEHOLDER_SRC);

/** True when a catalog key is a factory pattern (has at least one `{name}`). */
export function isPattern(key: string): boolean {
  return key.includes("{") && HAS_PLACEHOLDER.test(key);
}

/** Compiles and ranks the factory patterns among `keys`, best first. */
export function rankFactories(keys: Iterable<string>): Factory[] {
  const out: Factory[] = [];
  for (const key of keys) if (isPattern(key)) out.push(compile(key));
  return out.sort((a, b) => b.literal - a.literal || a.placeholders - b.placeholders || (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0));
}

function compile(pattern: string): Factory {
  let re = "^";
  let last = 0;
  let literal = 0;
  let holes = 0;
  const groups = new Map<string, number>();
  for (const m of pattern.matchAll(placeholders())) {
    const lit = pattern.slice(last, m.index);
    literal += lit.length;
    re += escapeRe(lit);
    holes++;
    const seen = groups.get(m[1]);
    // A repeated placeholder must match the same text both times.
    if (seen !== undefined) re += `\\${seen}`;
    else {
      groups.set(m[1], groups.size + 1);
      re += "(.+?)";
    }
    last = m.index! + m[0].length;
  }
  literal += pattern.length - last;
  re += escapeRe(pattern.slice(last)) + "$";
  const first = pattern.search(new RegExp(PLACEHOLDER_SRC));
  return { pattern, regex: new RegExp(re, "s"), literal, placeholders: holes, prefix: pattern.slice(0, first), suffix: pattern.slice(last), names: [...groups.keys()] };
}

/** Placeholder values of `name` under `f`, or null when it does not match. */
function matchValues(f: Factory, name: string): Record<string, string> | null {
  if (!name.startsWith(f.prefix) || !name.endsWith(f.suffix) || name.length <= f.prefix.length + f.suffix.length) return null;
  const m = f.regex.exec(name);
  if (!m) return null;
  // No prototype: placeholders called "toString" or "__proto__" are plain names here and in fill().
  const values: Record<string, string> = Object.create(null);
  for (let g = 0; g < f.names.length; g++) values[f.names[g]] = m[g + 1];
  return values;
}

/** The best-ranked factory matching `name`, its entry filled in; null when none matches. */
export function matchFactory(name: string, ranked: readonly Factory[], catalog: Readonly<Record<string, DatasetConfig>>): FactoryMatch | null {
  for (let i = 0; i < ranked.length; i++) {
    const f = ranked[i];
    const values = matchValues(f, name);
    if (!values) continue;
    const escaping: string[] = [];
    const unknown: string[] = [];
    const config = fill(catalog[f.pattern], values, escaping, unknown) as DatasetConfig;
    return { pattern: f.pattern, config, escaping, unknown };
  }
  return null;
}

/** Keys whose values are file system paths (filepath, path, base_dir, ...). */
const PATH_KEY = /(path|dir|directory|folder)$/i;

/** Replaces `{placeholder}`s in every string of `v`; notes filled paths that climb out of the project. */
function fill(v: unknown, values: Record<string, string>, escaping: string[], unknown: string[], key = ""): unknown {
  if (typeof v === "string") {
    if (!v.includes("{")) return v;
    let changed = false;
    // A global regex in replace() starts from 0 every time, so sharing FILL is safe.
    const out = v.replace(FILL, (whole, k: string) => {
      if (!(k in values)) {
        if (PATH_KEY.test(key)) unknown.push(whole);
        return whole;
      }
      changed = true;
      return values[k];
    });
    if (changed && PATH_KEY.test(key) && leavesProject(v, out)) escaping.push(out);
    return out;
  }
  if (Array.isArray(v)) return v.map((x) => fill(x, values, escaping, unknown, key));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const x = fill((v as Record<string, unknown>)[k], values, escaping, unknown, k);
      // A YAML key "__proto__" stays a plain key, never a prototype.
      if (k === "__proto__") Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
      else out[k] = x;
    }
    return out;
  }
  return v;
}

const FILL = placeholders();
/** A Windows drive prefix (`C:`): an absolute path there. */
const DRIVE = /^[A-Za-z]:/;

/** A filled value that climbs above the project root (or turns absolute) when the template did not. */
function leavesProject(template: string, filled: string): boolean {
  if (!filled.includes("..") && !filled.startsWith("/") && !filled.startsWith("\\") && !DRIVE.test(filled)) return false;
  const t = template.replace(/\\/g, "/");
  const f = filled.replace(/\\/g, "/");
  if (!posix.isAbsolute(t) && posix.isAbsolute(f)) return true;
  if (posix.isAbsolute(f)) return false;
  const norm = posix.normalize(f);
  const escapes = norm === ".." || norm.startsWith("../");
  const templateEscapes = posix.normalize(t.replace(placeholders(), "x")).startsWith("../");
  return escapes && !templateEscapes;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
