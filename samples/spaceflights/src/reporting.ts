// Pipeline reporting: the tutorial's charts as Plotly figures ({data, layout}, the plotly dataset).
import type { Row } from "./processing.ts";

/** Mean of `value` per distinct `key`, keys in sorted order. */
function meanBy(rows: Row[], key: string, value: string): [string[], number[]] {
  const sums = new Map<string, [number, number]>();
  for (const r of rows) {
    const v = Number(r[value]);
    if (!Number.isFinite(v)) continue;
    const [s, n] = sums.get(String(r[key])) ?? [0, 0];
    sums.set(String(r[key]), [s + v, n + 1]);
  }
  const keys = [...sums.keys()].sort();
  return [keys, keys.map((k) => sums.get(k)![0] / sums.get(k)![1])];
}

/** Node compare_passenger_capacity_node: mean passenger capacity per shuttle type, a bar chart. */
export function comparePassengerCapacity(shuttles: Row[]) {
  const [types, capacity] = meanBy(shuttles, "shuttle_type", "passenger_capacity");
  return {
    data: [{ type: "bar", x: types, y: capacity, name: "passenger_capacity" }],
    layout: {
      title: { text: "Mean passenger capacity by shuttle type" },
      xaxis: { title: { text: "shuttle_type" } },
      yaxis: { title: { text: "passenger_capacity" } },
    },
  };
}

/** Node price_by_engine_type_node: mean price per engine type, a bar chart. */
export function priceByEngineType(table: Row[]) {
  const [engines, price] = meanBy(table, "engine_type", "price");
  return {
    data: [{ type: "bar", x: engines, y: price, name: "price" }],
    layout: {
      title: { text: "Mean shuttle price by engine type" },
      xaxis: { title: { text: "engine_type" } },
      yaxis: { title: { text: "price" } },
    },
  };
}
