// mlc viz, live updates of a served page: a new graph version after an edit, and the run record
// followed to its end (polled quickly while a run is going, slowly otherwise), so the overlay
// never stops on a run that has since finished or failed.
"use strict";
(function (V) {
  const key = (run) =>
    run
      ? run.run_id +
        "|" +
        run.status +
        "|" +
        Object.values(run.nodes)
          .map((n) => n.status)
          .join(",")
      : "none";

  /** Starts polling; `ctx` gives the current run and receives new graphs and runs. */
  V.live = function (ctx) {
    let version = ctx.version;
    const tick = async () => {
      try {
        const v = (await (await fetch("api/version")).json()).version;
        if (v !== version) {
          version = v;
          ctx.onGraph(await (await fetch("api/graph")).json());
        } else {
          const run = await (await fetch("api/run")).json();
          if (key(run.run) !== key(ctx.current())) ctx.onRun(run);
        }
      } catch (e) {
        /* server stopped: keep the last view */
      }
      const running = ctx.current() && ctx.current().status === "running";
      setTimeout(tick, running ? 500 : 1500);
    };
    setTimeout(tick, 500);
  };
})((window.mlcViz = window.mlcViz || {}));
