# MLflow's own search code as the oracle for mlc's filter grammar (test/cli/runs-search-mlflow.test.ts).
# Reads one JSON request on stdin, writes one JSON answer on stdout:
#   {"filters": [str]}  -> {"filters": [{"ok": true, "clauses": [...]} | {"ok": false, "error": str}]}
#   {"orders": [str]}   -> {"orders": [{"ok": true, "type", "key", "ascending"} | {"ok": false, "error"}]}
#   {"runs": [run], "queries": [{"filter": str, "order_by": [str]}]} -> {"results": [[run_id, ...]]}
# A filter is accepted when parse_search_filter accepts it AND every clause passes the comparator
# checks MLflow makes when it evaluates it (SearchUtils._does_run_match_clause): the parser alone
# lets `metrics.x LIKE 1` or `params.p > 'a'` through and fails them at search time.
import json
import math
import sys

from mlflow.entities import Dataset, DatasetInput, Metric, Param, Run, RunData, RunInfo, RunInputs, RunTag
from mlflow.utils.search_utils import SearchUtils

PROBE = Run(
    RunInfo("probe", "0", "user", "FINISHED", 0, 1, "active", None, "probe"),
    RunData(metrics=[], params=[], tags=[]),
    RunInputs(dataset_inputs=[]),
)


def clause_json(c):
    v = c["value"]
    if isinstance(v, tuple):
        v = list(v)
    elif c["type"] == "metric":
        v = float(v)
    return {"type": c["type"], "key": c["key"], "comparator": c["comparator"].upper(), "value": v}


def parse_filter(f):
    try:
        clauses = SearchUtils.parse_search_filter(f)
        for c in clauses:
            SearchUtils._does_run_match_clause(PROBE, c)
        return {"ok": True, "clauses": [clause_json(c) for c in clauses]}
    except Exception as e:  # MlflowException, and anything the parser raises on odd input
        return {"ok": False, "error": str(e)}


def parse_order(o):
    try:
        t, k, asc = SearchUtils.parse_order_by_for_search_runs(o)
        SearchUtils.sort([PROBE], [o])  # rejects entity types runs cannot be sorted by
        return {"ok": True, "type": t, "key": k, "ascending": asc}
    except Exception as e:
        return {"ok": False, "error": str(e)}


def to_run(r):
    info = RunInfo(r["run_id"], "0", r.get("user_id") or "", r["status"], r["start_time"], r.get("end_time"),
                   "active", None, r["run_name"])
    metrics = [Metric(k, float(v) if v is not None else math.nan, 0, 0) for k, v in r["metrics"].items()]
    data = RunData(metrics=metrics, params=[Param(k, v) for k, v in r["params"].items()],
                   tags=[RunTag(k, v) for k, v in r["tags"].items()])
    inputs = [DatasetInput(Dataset(d["name"], d["digest"], "local", "x")) for d in r.get("datasets", [])]
    return Run(info, data, RunInputs(dataset_inputs=inputs))


def main():
    req = json.load(sys.stdin)
    out = {}
    if "filters" in req:
        out["filters"] = [parse_filter(f) for f in req["filters"]]
    if "orders" in req:
        out["orders"] = [parse_order(o) for o in req["orders"]]
    if "runs" in req:
        runs = [to_run(r) for r in req["runs"]]
        results = []
        for q in req["queries"]:
            found = SearchUtils.sort(SearchUtils.filter(runs, q["filter"]), q.get("order_by") or [])
            results.append([r.info.run_id for r in found])
        out["results"] = results
    json.dump(out, sys.stdout)


main()
