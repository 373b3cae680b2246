// The final report: the baseline, the model and the model selection side by side.
import type { ModelSummary } from "./training.js";

/** The walkthrough's report, saved as data/08_reporting/report.json. */
export interface Report {
  baseline: ModelSummary;
  model: ModelSummary;
  /** How much lower the model's test RMSE is than the baseline's, in percent. */
  improvement_pct: number;
  model_selection: { best: ModelSummary; candidates: ModelSummary[] };
}

/** Node `build_report`: inputs by name (a map), so the order in pipeline.yml does not matter. */
export function buildReport(inputs: {
  baseline: ModelSummary;
  model: ModelSummary;
  selection: { best: ModelSummary; candidates: ModelSummary[] };
}): Report {
  const { baseline, model, selection } = inputs;
  const improvement = ((baseline.test_rmse - model.test_rmse) / baseline.test_rmse) * 100;
  const report: Report = {
    baseline,
    model,
    improvement_pct: Math.round(improvement * 100) / 100,
    model_selection: selection,
  };
  console.log(
    `RMSE: baseline ${baseline.test_rmse.toFixed(4)} -> matrix factorisation ${model.test_rmse.toFixed(4)} ` +
      `(${report.improvement_pct}% lower); best candidate: ${selection.best.model} at ${selection.best.test_rmse.toFixed(4)}`,
  );
  return report;
}
