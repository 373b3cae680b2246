// The sending half of the tracker, loaded when a run first talks to the server (under wait at
// once; under background only when the run goes live after its first second). dist/ builds it as
// its own bundle, so a short background run never loads or compiles the HTTP client.
export { MlflowClient } from "./client.js";
export { Deliverer } from "./deliver.js";
export { cachedExperiment } from "./experiment-cache.js";
export { catchUp } from "./sync.js";
