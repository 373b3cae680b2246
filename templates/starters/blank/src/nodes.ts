// Node functions: plain exported functions. List inputs arrive as positional arguments;
// the return value goes to the node's output dataset.

/** Node `make_numbers`: the squares of 1..count. */
export function makeNumbers(count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i + 1) ** 2);
}

/** Node `summarize`: a small report, saved as data/08_reporting/summary.json by the catalog. */
export function summarize(numbers: number[]): { count: number; sum: number; max: number } {
  return { count: numbers.length, sum: numbers.reduce((a, b) => a + b, 0), max: Math.max(...numbers) };
}
