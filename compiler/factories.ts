// Dataset factories (Kedro): catalog keys with `{placeholder}`s match dataset names; the best
// match fills the placeholders into every string of its entry. Ranking as Kedro: most literal
// characters first, then fewest placeholders, then alphabetical.
import { posix } from "node:path";
import { hasDotSegment } from "../catalog/storage/storage.js";
import { setOwn } from "./plain-data.js";
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
  return out.sort(
    (a, b) =>
      b.literal - a.literal ||
      a.placeholders - b.placeholders ||
      (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0),
  );
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
  return {
    pattern,
    regex: new RegExp(re, "s"),
    literal,
    placeholders: holes,
    prefix: pattern.slice(0, first),
    suffix: pattern.slice(last),
    names: [...groups.keys()],
  };
}

/** The regex match of `name` under `f` (group g+1 holds names[g]), or null when it does not match. */
function matchOf(f: Factory, name: string): RegExpExecArray | null {
  if (!name.startsWith(f.prefix) || !name.endsWith(f.suffix) || name.length <= f.prefix.length + f.suffix.length)
    return null;
  return f.regex.exec(name);
}

/** The best-ranked factory matching `name`, its entry filled in; null when none matches. */
export function matchFactory(
  name: string,
  ranked: readonly Factory[],
  catalog: Readonly<Record<string, DatasetConfig>>,
): FactoryMatch | null {
  for (let i = 0; i < ranked.length; i++) {
    const f = ranked[i];
    const m = matchOf(f, name);
    if (!m) continue;
    const template = catalog[f.pattern];
    const escaping: string[] = [];
    const plan = planFor(f, template);
    if (plan)
      return {
        pattern: f.pattern,
        config: fillByPlan(plan, template, m, escaping),
        escaping,
        unknown: plan.unknown.slice(),
      };
    // No prototype: placeholders called "toString" or "__proto__" are plain names here and in fill().
    const values: Record<string, string> = Object.create(null);
    for (let g = 0; g < f.names.length; g++) values[f.names[g]] = m[g + 1];
    const unknown: string[] = [];
    const config = fill(template, values, escaping, unknown) as DatasetConfig;
    return { pattern: f.pattern, config, escaping, unknown };
  }
  return null;
}

/**
 * A flat catalog entry (every value a string, number, boolean or null) compiled once per factory:
 * filling it for a dataset is joining literal text and capture groups, with what fill() works out
 * per string (known placeholders, unknown ones in path values, which values to check for leaving
 * the project) decided once. Thousands of datasets often come from one factory.
 */
interface FillPlan {
  readonly template: DatasetConfig;
  readonly keys: readonly string[];
  /** Per key: null (the value as it is) or literal strings and capture-group numbers to join. */
  readonly parts: readonly (readonly (string | number)[] | null)[];
  /** Per key: a path value with a filled placeholder, to check with leavesProject. */
  readonly checked: readonly boolean[];
  /** Placeholders in path values that the pattern does not define, as fill() lists them. */
  readonly unknown: readonly string[];
}

const PLANS = new WeakMap<Factory, FillPlan | null>();

function planFor(f: Factory, template: DatasetConfig): FillPlan | null {
  let plan = PLANS.get(f);
  if (plan === undefined || (plan !== null && plan.template !== template))
    PLANS.set(f, (plan = compilePlan(f, template)));
  return plan;
}

function compilePlan(f: Factory, template: DatasetConfig): FillPlan | null {
  if (template === null || typeof template !== "object" || Array.isArray(template)) return null;
  const keys = Object.keys(template);
  const parts: ((string | number)[] | null)[] = [];
  const checked: boolean[] = [];
  const unknown: string[] = [];
  for (const key of keys) {
    const v = template[key];
    if (key === "__proto__" || (v !== null && typeof v === "object") || typeof v === "function") return null;
    if (typeof v !== "string" || !v.includes("{")) {
      (parts.push(null), checked.push(false));
      continue;
    }
    const list: (string | number)[] = [];
    let last = 0;
    let changed = false;
    for (const m of v.matchAll(placeholders())) {
      const group = f.names.indexOf(m[1]) + 1;
      list.push(v.slice(last, m.index));
      if (group > 0) ((changed = true), list.push(group));
      else {
        list.push(m[0]);
        if (PATH_KEY.test(key)) unknown.push(m[0]);
      }
      last = m.index + m[0].length;
    }
    list.push(v.slice(last));
    (parts.push(list), checked.push(changed && PATH_KEY.test(key)));
  }
  return { template, keys, parts, checked, unknown };
}

function fillByPlan(plan: FillPlan, template: DatasetConfig, m: RegExpExecArray, escaping: string[]): DatasetConfig {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < plan.keys.length; i++) {
    const key = plan.keys[i];
    const list = plan.parts[i];
    if (list === null) {
      out[key] = template[key];
      continue;
    }
    let s = "";
    for (let k = 0; k < list.length; k++) {
      const x = list[k];
      s += typeof x === "number" ? m[x] : x;
    }
    out[key] = s;
    if (plan.checked[i] && leavesProject(template[key] as string, s)) escaping.push(s);
  }
  return out as DatasetConfig;
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
      setOwn(out, k, fill((v as Record<string, unknown>)[k], values, escaping, unknown, k));
    }
    return out;
  }
  return v;
}

const FILL = placeholders();
/** A Windows drive prefix (`C:`): an absolute path there. */
const DRIVE = /^[A-Za-z]:/;
const URL_START = /^[A-Za-z][A-Za-z0-9+.-]+:\/\//;

/** A filled value that climbs above the project root (or turns absolute) when the template did not. */
function leavesProject(template: string, filled: string): boolean {
  if (!filled.includes("..") && !filled.startsWith("/") && !filled.startsWith("\\") && !DRIVE.test(filled))
    return false;
  const t = template.replace(/\\/g, "/");
  const f = filled.replace(/\\/g, "/");
  // A URL's key may not climb out of the prefix its template declares.
  if (URL_START.test(t)) return hasDotSegment(f) && !hasDotSegment(t.replace(placeholders(), "x"));
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
