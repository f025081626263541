import pg from "pg";
import { databaseUrl, env } from "../env";
import { JOBS, type TJob } from "./registry";

// Session-level advisory lock key for a job tick (the migrations runner uses 72_707_369).
export const JOBS_LOCK_KEY = 72_707_370;

export type TJobOutcome = { name: string; ok: boolean; ms: number; result?: unknown; error?: string; skipped?: boolean };

// When each job last started in this process, for jobs that run less often than every tick.
const lastStarted = new Map<string, number>();
export type TTickResult = { ran: boolean; jobs: TJobOutcome[] };

// One tick: every job in turn, on one replica at a time. The lock is taken with
// pg_try_advisory_lock on a connection of its own (not the pool, which the jobs need), so a replica
// that finds it taken skips the tick instead of queueing behind it; closing that connection (also
// by a crash) releases the lock.
export async function runTick(jobs: readonly TJob[] = JOBS): Promise<TTickResult> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  // A connection lost mid-tick surfaces as a failed query below, not as an unhandled 'error'.
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [JOBS_LOCK_KEY]);
    if (!rows[0].locked) return { ran: false, jobs: [] };
    const outcomes: TJobOutcome[] = [];
    for (const job of jobs) {
      if (job.everyMs && Date.now() - (lastStarted.get(job.name) ?? 0) < job.everyMs) {
        outcomes.push({ name: job.name, ok: true, ms: 0, skipped: true });
        continue;
      }
      lastStarted.set(job.name, Date.now());
      const t0 = performance.now();
      try {
        const result = await job.run();
        outcomes.push({ name: job.name, ok: true, ms: Math.round(performance.now() - t0), result });
      } catch (err) {
        // One failing job does not keep the others from running.
        const error = err instanceof Error ? err.message : String(err);
        console.error(`[jobs] ${job.name} failed: ${error}`);
        outcomes.push({ name: job.name, ok: false, ms: Math.round(performance.now() - t0), error });
      }
    }
    return { ran: true, jobs: outcomes };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export type TJobRunner = {
  // Stops the timer and waits for a tick in progress (shutdown).
  stop: () => Promise<void>;
};

// The timer started with the server (dev, start, the e2e server): a tick every intervalMs, the next
// one scheduled only when the previous has finished, so ticks never overlap in one process.
export function startJobRunner(options: { intervalMs?: number; jobs?: readonly TJob[] } = {}): TJobRunner {
  const intervalMs = options.intervalMs ?? env().JOBS_INTERVAL_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const schedule = () => {
    if (stopped || intervalMs <= 0) return;
    timer = setTimeout(() => {
      timer = null;
      running = runTick(options.jobs)
        .then(() => undefined)
        .catch((err: unknown) => console.error("[jobs] tick failed:", err instanceof Error ? err.message : err))
        .finally(() => {
          running = null;
          schedule();
        });
    }, intervalMs);
    // The server keeps the process alive, not the job timer.
    timer.unref();
  };
  schedule();

  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
