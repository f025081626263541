import { stopWebhookSender } from "../alerts/webhooks";
import { closeDb } from "../db";
import { stopOutboxSender } from "../email/outbox";
import { env } from "../env";
import { drainIngest } from "../ingest/group-commit";
import type { TJobRunner } from "../jobs/runner";
import type { THttpDrain } from "./http-drain";

// What a running process has to put away, registered as it comes up (the database first, the HTTP
// server and the job timer once they run).
export type TShutdownParts = {
  http?: THttpDrain;
  jobs?: TJobRunner;
  // The embedded Postgres of `npm run dev` (a no-op with DATABASE_URL).
  database?: { stop: () => Promise<void> };
};

type TLog = (line: string) => void;

// Leave this much of the deadline for what follows the HTTP drain (ingest, jobs, pool, Postgres).
const AFTER_HTTP_MS = 2_500;

// The clean shutdown, in order: stop accepting connections and finish the requests in flight →
// finish every queued ingest write (later posts get a 503) → stop the job timer and wait for a
// running tick or kicked outbox / webhook drain → close the pool → stop the embedded Postgres. Resolves with
// how long each step took; throws if a step failed.
export async function shutDown(parts: TShutdownParts, options: { deadline: number; log?: TLog }): Promise<Record<string, number>> {
  const log = options.log ?? (() => undefined);
  const took: Record<string, number> = {};
  const step = async (name: string, run: () => Promise<void>) => {
    const t0 = performance.now();
    await run();
    took[name] = Math.round(performance.now() - t0);
  };
  // No new tick from now on; the running one is awaited below.
  const jobsStopped = parts.jobs?.stop() ?? Promise.resolve();
  await step("http", async () => {
    if (!parts.http) return;
    const inFlight = parts.http.inFlight();
    if (inFlight) log(`finishing ${inFlight} request(s) in flight`);
    const { cutOff } = await parts.http.close(Math.max(Date.now(), options.deadline - AFTER_HTTP_MS));
    if (cutOff) log(`${cutOff} request(s) did not finish in time and were cut off`);
  });
  await step("ingest", drainIngest);
  await step("jobs", async () => {
    await jobsStopped;
    await Promise.all([stopOutboxSender(), stopWebhookSender()]);
  });
  await step("pool", closeDb);
  await step("postgres", async () => parts.database?.stop());
  return took;
}

// SIGTERM / SIGINT → shutDown(), then exit 0. A hard deadline (SHUTDOWN_TIMEOUT_MS, default 10 s)
// exits 1 if something hangs; a second signal exits at once. Install as early as possible and
// register the parts as they start.
export function handleShutdownSignals(
  initial: TShutdownParts = {},
  options: { timeoutMs?: number; log?: TLog; exit?: (code: number) => void; exitWithParent?: boolean } = {},
): { register: (parts: TShutdownParts) => void } {
  const parts: TShutdownParts = { ...initial };
  const log = options.log ?? ((line: string) => console.log(`[shutdown] ${line}`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      log(`${signal} again: exiting now`);
      exit(128 + (signal === "SIGINT" ? 2 : 15));
      return;
    }
    started = true;
    const timeoutMs = options.timeoutMs ?? env().SHUTDOWN_TIMEOUT_MS;
    const t0 = Date.now();
    log(`${signal}: shutting down (at most ${timeoutMs / 1000} s; ${signal} again to exit at once)`);
    // Not unref'd: a step that hangs on nothing but a promise must still meet the deadline.
    const hardDeadline = setTimeout(() => {
      log(`not finished after ${timeoutMs / 1000} s: exiting with code 1`);
      exit(1);
    }, timeoutMs);
    shutDown(parts, { deadline: t0 + timeoutMs, log }).then(
      (took) => {
        clearTimeout(hardDeadline);
        const steps = Object.entries(took).map(([name, ms]) => `${name} ${ms} ms`).join(", ");
        log(`done in ${Date.now() - t0} ms (${steps})`);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(hardDeadline);
        log(`failed: ${err instanceof Error ? err.message : String(err)}`);
        exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // `npm run dev` runs us under `sh -c` (no exec, so it also works from Windows' cmd): a SIGTERM to
  // npm ends npm and the shell, not us. When our parent goes away we are re-parented: shut down then,
  // as for a SIGTERM, instead of running on with the port and the embedded database held.
  if (options.exitWithParent) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(watch);
        log(`parent process ${parent} is gone`);
        onSignal("SIGTERM");
      }
    }, 500);
    watch.unref();
  }
  return { register: (more) => Object.assign(parts, more) };
}
