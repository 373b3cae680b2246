// The recorder sink and the public logging API: calls land in the current run, no-op outside one.
import { describe, expect, it } from "vitest";
import { logArtifact, logMetric, logMetrics, logParam, setTag } from "../../index.js";
import { RunRecorder, teeSinks } from "../../runs/recorder.js";
import { installSink, NULL_SINK, currentSink } from "../../tracking/sink.js";

describe("RunRecorder", () => {
  it("records metrics with history and steps, params, tags and artifacts", () => {
    const r = new RunRecorder("/proj");
    const restore = installSink(r);
    try {
      logMetric("loss", 0.5);
      logMetric("loss", 0.25, 3);
      logMetrics({ acc: 0.9, f1: 0.8 }, 1);
      logParam("lr", 0.01);
      logParam("layers", [8, 16]);
      setTag("team", "ml");
      logArtifact("/proj/data/model.bin", "models");
      logArtifact("/elsewhere/x.txt");
    } finally {
      restore();
    }
    const s = r.snapshot();
    expect(s.metrics).toEqual({ loss: 0.25, acc: 0.9, f1: 0.8 });
    expect(r.takeHistory().map((p) => [p.key, p.value, p.step])).toEqual([
      ["loss", 0.5, 0],
      ["loss", 0.25, 3],
      ["acc", 0.9, 1],
      ["f1", 0.8, 1],
    ]);
    expect(r.takeHistory()).toEqual([]);
    expect(s.logged_params).toEqual({ lr: "0.01", layers: "[8,16]" });
    expect(s.tags).toEqual({ team: "ml" });
    expect(s.artifacts).toEqual([
      { path: "data/model.bin", artifact_path: "models" },
      { path: "/elsewhere/x.txt", artifact_path: null },
    ]);
    expect(currentSink()).toBe(NULL_SINK);
  });

  it("warns once about a bad metric value and never throws", () => {
    const warnings: string[] = [];
    const r = new RunRecorder("/p", (m) => warnings.push(m));
    r.logMetric("x", "high" as unknown as number);
    r.logMetric("x", "higher" as unknown as number);
    r.logMetric("", 1);
    expect(warnings).toHaveLength(2);
    expect(r.snapshot().metrics.x).toBeNaN();
  });

  it("the logging API is a harmless no-op outside a run", () => {
    expect(() => {
      logMetric("a", 1);
      logMetrics({ b: 2 });
      logParam("c", {});
      setTag("d", "e");
      logArtifact("f.txt");
    }).not.toThrow();
  });

  it("teeSinks reaches every sink even when one throws", () => {
    const a = new RunRecorder("/p");
    const broken = {
      ...NULL_SINK,
      logMetric() {
        throw new Error("down");
      },
    };
    const b = new RunRecorder("/p");
    teeSinks(a, broken, b).logMetric("m", 1);
    expect(a.snapshot().metrics).toEqual({ m: 1 });
    expect(b.snapshot().metrics).toEqual({ m: 1 });
  });
});
