import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, expect, test } from "vitest";
import { closeDb, prisma } from "../db";
import { enqueueEmail } from "../email/outbox";
import { createPrivateDatabase } from "../testing/private-database";
import { JOBS } from "./registry";
import { JOBS_LOCK_KEY, runTick, startJobRunner } from "./runner";

// The tick lock is per database: this file's ticks get a database of their own, so another test
// file's tick (or a server started by a test) never holds it at the wrong moment.
const database = await createPrivateDatabase("jobs");
afterAll(async () => {
  await closeDb();
  await database.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function countingJob(name: string, ms = 0) {
  const job = { name, runs: 0, run: async () => {
    job.runs++;
    await sleep(ms);
    return { runs: job.runs };
  } };
  return job;
}

test("a tick runs every job in order and reports each; a failing job does not stop the next", async () => {
  const order: string[] = [];
  const result = await runTick([
    { name: "first", run: async () => void order.push("first") },
    { name: "broken", run: async () => { order.push("broken"); throw new Error("boom"); } },
    { name: "last", run: async () => { order.push("last"); return { sent: 2 }; } },
  ]);
  expect(order).toEqual(["first", "broken", "last"]);
  expect(result).toMatchObject({
    ran: true,
    jobs: [
      { name: "first", ok: true },
      { name: "broken", ok: false, error: "boom" },
      { name: "last", ok: true, result: { sent: 2 } },
    ],
  });
});

test("one replica at a time: while another session holds the tick lock, a tick skips; afterwards it runs", async () => {
  const other = new pg.Client({ connectionString: database.url });
  await other.connect();
  try {
    await other.query("SELECT pg_advisory_lock($1)", [JOBS_LOCK_KEY]);
    const job = countingJob("j");
    expect(await runTick([job])).toEqual({ ran: false, jobs: [] });
    expect(job.runs).toBe(0);
    await other.query("SELECT pg_advisory_unlock($1)", [JOBS_LOCK_KEY]);
    expect((await runTick([job])).ran).toBe(true);
    expect(job.runs).toBe(1);
  } finally {
    await other.end();
  }
});

test("concurrent ticks (each on its own connection, as two replicas would be): exactly one runs the jobs", async () => {
  const job = countingJob("slow", 300);
  const results = await Promise.all([runTick([job]), runTick([job]), runTick([job])]);
  expect(results.filter((r) => r.ran)).toHaveLength(1);
  expect(job.runs).toBe(1);
  // The lock went with the tick's connection: the next tick runs.
  expect((await runTick([job])).ran).toBe(true);
});

test("the timer ticks on its interval, never two ticks at once, and stop() waits for the tick in progress", async () => {
  let running = 0;
  let overlapped = false;
  let finished = 0;
  const job = {
    name: "slow",
    run: async () => {
      running++;
      overlapped ||= running > 1;
      await sleep(150);
      running--;
      finished++;
    },
  };
  const runner = startJobRunner({ intervalMs: 20, jobs: [job] });
  await sleep(500);
  // Stopping while a tick is in flight: stop() returns only once it has finished.
  while (running === 0) await sleep(5);
  await runner.stop();
  expect(running).toBe(0);
  const after = finished;
  expect(after).toBeGreaterThanOrEqual(2);
  expect(overlapped).toBe(false);
  await sleep(200);
  expect(finished).toBe(after);
});

test("a timer with interval 0 never ticks (cron-only deployments)", async () => {
  const job = countingJob("never");
  const runner = startJobRunner({ intervalMs: 0, jobs: [job] });
  await sleep(100);
  await runner.stop();
  expect(job.runs).toBe(0);
});

test("the registered jobs start with the email outbox: a tick delivers a queued email", async () => {
  delete process.env.RESEND_API_KEY;
  expect(JOBS.map((j) => j.name)).toContain("email-outbox");
  const to = `tick-${randomBytes(5).toString("hex")}@example.test`;
  await enqueueEmail(prisma(), {
    template: "magic-link",
    to,
    idempotencyKey: `test/${to}`,
    payload: { url: "https://burnrate.example/api/auth/callback/email?token=t", host: "burnrate.example", expiresInMinutes: 15 },
  });
  const result = await runTick();
  expect(result.jobs.find((j) => j.name === "email-outbox")).toMatchObject({ ok: true, result: { sent: 1 } });
  expect(await prisma().capturedEmail.count({ where: { to: { has: to } } })).toBe(1);
});
