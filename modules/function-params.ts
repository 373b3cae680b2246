// The parameters a loaded node function declares, read from its source with acorn (the compiled
// JavaScript esbuild produced), so validate can check a node's input count the way Kedro checks a
// node's signature when it is built, instead of the call failing later with an unclear TypeError.
import { parseExpressionAt, tokenizer, tokTypes as tt, type Node as AcornNode, type Token } from "acorn";

/** Positional parameters: `required` without a default, `optional` with one, `rest` for `...xs`. */
export interface ParamShape {
  readonly required: number;
  readonly optional: number;
  readonly rest: boolean;
}

interface FnNode extends AcornNode {
  readonly params?: readonly AcornNode[];
  readonly properties?: readonly { readonly value: FnNode }[];
}

/** The shape of `fn`'s parameters, or null when its source cannot be read (native, bound, class). */
export function paramShape(fn: (...args: never[]) => unknown): ParamShape | null {
  return sourceShape(Function.prototype.toString.call(fn));
}

/**
 * The shape of the parameters of the function source `src`: from its parameter list alone, or with
 * `whole`, from the whole function parsed (what the tests compare the first with).
 */
export function sourceShape(src: string, whole = false): ParamShape | null {
  // Native and bound functions show no parameters (`function max() { [native code] }`); a class is
  // no node function.
  if (/\{\s*\[native code\]\s*\}$/.test(src) || /^class\b/.test(src)) return null;
  const list = whole ? null : paramList(src);
  const node = (list === null ? null : parse(`(function ${list} {})`)) ?? wholeFunction(src);
  if (!node?.params) return null;
  let required = 0;
  let optional = 0;
  let rest = false;
  node.params.forEach((p, i) => {
    if (p.type === "RestElement") rest = true;
    else if (p.type === "AssignmentPattern") optional++;
    else {
      // A plain parameter after defaulted ones still needs an argument to be given.
      required = i + 1;
      optional = 0;
    }
  });
  return { required, optional, rest };
}

/** The function parsed whole, body included: `src` as an expression, or as a method (`name(a) {}`) in an object literal. */
function wholeFunction(src: string): FnNode | null {
  return parse(`(${src})`) ?? parse(`({${src}})`)?.properties?.[0]?.value ?? null;
}

const OPEN = new Set([tt.parenL, tt.bracketL, tt.braceL, tt.dollarBraceL]);
const CLOSE = new Set([tt.parenR, tt.bracketR, tt.braceR]);

/**
 * The parameter list of the function source `src`, "(a, b = 1)", found with acorn's tokenizer, so
 * that a long function body is never parsed: the first parenthesis outside any bracket (a computed
 * method name may hold some) or brace opens it, and a bare arrow parameter (`x => x`) is a list of one.
 * Null when there is none; the caller then parses the whole source.
 */
export function paramList(src: string): string | null {
  let depth = 0;
  let open = -1;
  let prev: Token | null = null;
  try {
    for (const tok of tokenizer(src, { ecmaVersion: "latest" })) {
      if (open < 0 && depth === 0 && tok.type === tt.arrow && prev?.type === tt.name)
        return `(${src.slice(prev.start, prev.end)})`;
      if (OPEN.has(tok.type)) {
        if (open < 0 && depth === 0 && tok.type === tt.parenL) open = tok.start;
        depth++;
      } else if (CLOSE.has(tok.type) && --depth === 0 && open >= 0) return src.slice(open, tok.end);
      prev = tok;
    }
  } catch {
    return null;
  }
  return null;
}

function parse(code: string): FnNode | null {
  try {
    const expr = parseExpressionAt(code, 0, { ecmaVersion: "latest" }) as FnNode;
    return expr.type === "FunctionExpression" || expr.type === "ArrowFunctionExpression" || expr.properties
      ? expr
      : null;
  } catch {
    return null;
  }
}

/** Why `count` positional arguments do not fit `shape`, or null when they do. */
export function arityProblem(count: number, shape: ParamShape): string | null {
  const max = shape.required + shape.optional;
  if (count < shape.required) return `needs ${describe(shape)} but the node passes ${count}`;
  if (!shape.rest && count > max) return `takes ${describe(shape)} but the node passes ${count}`;
  return null;
}

function describe({ required, optional, rest }: ParamShape): string {
  const n = (k: number) => `${k} parameter${k === 1 ? "" : "s"}`;
  if (rest) return `at least ${n(required)}`;
  if (optional === 0) return n(required);
  return `${required} to ${n(required + optional)}`;
}
