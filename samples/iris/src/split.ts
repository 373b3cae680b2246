// Node `split_data`: a stratified, seeded train/test split of the iris rows.

/** One iris row as loaded by the `csv` dataset (numbers typed, species a string). */
export interface IrisRow {
  sepal_length: number;
  sepal_width: number;
  petal_length: number;
  petal_width: number;
  species: string;
}

/** mulberry32: a small seeded PRNG, so `random_state` reproduces the split exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles each species separately and holds out `testSize` of each: both sets keep the class balance. */
export function splitData(rows: IrisRow[], testSize: number, randomState: number): [IrisRow[], IrisRow[]] {
  if (!(testSize > 0 && testSize < 1)) throw new Error(`test_size must be between 0 and 1, got ${testSize}`);
  const rng = mulberry32(randomState);
  const bySpecies = new Map<string, IrisRow[]>();
  for (const row of rows) {
    const list = bySpecies.get(row.species) ?? [];
    list.push(row);
    bySpecies.set(row.species, list);
  }
  const train: IrisRow[] = [];
  const test: IrisRow[] = [];
  for (const species of [...bySpecies.keys()].sort()) {
    const list = bySpecies.get(species)!;
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    const nTest = Math.round(list.length * testSize);
    test.push(...list.slice(0, nTest));
    train.push(...list.slice(nTest));
  }
  return [train, test];
}
