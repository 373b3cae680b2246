// The parameters a loaded node function declares, read from its source with acorn (the compiled
// JavaScript esbuild produced), so validate can check a node's input count the way Kedro checks a
// node's signature when it is built, instead of the call failing later with an unclear TypeError.
import { parseExpressionAt, type Node as AcornNode } from "acorn";

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
  const src = Function.prototype.toString.call(fn);
  // A method (`name(a) {}`) only parses inside an object literal.
  const node = parse(`(${src})`) ?? parse(`({${src}})`)?.properties?.[0]?.value ?? null;
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
