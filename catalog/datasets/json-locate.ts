// Finds where JSON text stops being valid, for error messages: Node 20's JSON.parse often reports
// "Unexpected token" without a position. Runs only after JSON.parse failed, so simplicity wins.

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUM = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const STR = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Offset (0-based) of the first character that makes `text` invalid JSON, or -1 when it is valid. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (at: number): never => {
    throw at;
  };
  const ws = (): void => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  const match = (re: RegExp): void => {
    re.lastIndex = i;
    if (!re.test(text)) fail(i);
    i = re.lastIndex;
  };
  const value = (depth: number): void => {
    ws();
    const c = text[i];
    if (c === "{" || c === "[") return container(c, depth);
    if (c === '"') return match(STR);
    for (const w of ["true", "false", "null"]) if (text.startsWith(w, i)) return void (i += w.length);
    match(NUM);
  };
  const container = (open: string, depth: number): void => {
    if (depth > 5000) fail(i);
    const close = open === "{" ? "}" : "]";
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      if (open === "{") {
        ws();
        if (text[i] !== '"') fail(i);
        match(STR);
        ws();
        if (text[i] !== ":") fail(i);
        i++;
      }
      value(depth + 1);
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === close) return void i++;
      fail(i);
    }
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail(i);
    return -1;
  } catch (at) {
    if (typeof at === "number") return at;
    throw at;
  }
}
