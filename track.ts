// `mlc-pipelines/track`: only the logging functions, for node code that wants the smallest import.
export { logArtifact, logMetric, logMetrics, logParam, setTag } from "./tracking/log-api.js";
export { nodeSignal } from "./executors/node-context.js";
