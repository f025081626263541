// Cumulative metrics exactly once (issue 10 §4): concurrent exports (two app processes:
// replicas.test.ts), and a crash between the ledger's "about to store" and the events' write, or between the
// write and "stored".
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { startMachineServer } from "../testing/machine-server";
import { cumulativeExport, postOtlp } from "../testing/otlp";

const totals = async (orgId: string) =>
  (await pool().query(`SELECT coalesce(sum("costUsd"), 0)::text AS cost, coalesce(sum("inputTokens"), 0)::int AS input FROM "UsageEvent" WHERE "orgId" = $1`, [orgId])).rows[0];

describe("one app process", () => {
  let server: Awaited<ReturnType<typeof startMachineServer>>;
  beforeAll(async () => {
    server = await startMachineServer();
  });
  afterAll(() => server.close());

  test("the same running totals posted 8 times at once, and 5 growing exports in any order, count the increase once", async () => {
    const { org, secret } = await createTestOrg();
    const startMs = Date.now() - 10 * 60_000;
    const first = cumulativeExport("s-concurrent", startMs, 60, 1.25, 1000);
    const answers = await Promise.all(Array.from({ length: 8 }, () => postOtlp(server.url, "metrics", secret, first)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(await totals(org.id)).toEqual({ cost: "1.250000000000", input: 1000 });
    // Later exports racing each other: whichever lands, the total is the newest running total.
    const later = [2, 3, 4, 5, 6].map((n) => cumulativeExport("s-concurrent", startMs, 60 * n, 1.25 * n, 1000 * n));
    await Promise.all([...later, ...later.reverse()].map((body) => postOtlp(server.url, "metrics", secret, body)));
    expect(await totals(org.id)).toEqual({ cost: "7.500000000000", input: 6000 });
  });

  test("a crash after the ledger noted the increase but before the events were written: the next export counts it", async () => {
    const { org, secret } = await createTestOrg();
    const startMs = Date.now() - 10 * 60_000;
    await postOtlp(server.url, "metrics", secret, cumulativeExport("s-crash-1", startMs, 60, 1, 100));
    // What a crash leaves: a pending value whose event never reached the table.
    await pool().query(`UPDATE "TelemetrySeries" SET "pendingValue" = "countedValue" + 5, "pendingTimeUnixNano" = '99999999999999999999', "pendingEventId" = 'm:never-written' WHERE "orgId" = $1`, [org.id]);
    await postOtlp(server.url, "metrics", secret, cumulativeExport("s-crash-1", startMs, 120, 3, 300));
    expect(await totals(org.id)).toEqual({ cost: "3.000000000000", input: 300 });
    const pending = await pool().query(`SELECT count(*)::int AS n FROM "TelemetrySeries" WHERE "orgId" = $1 AND "pendingEventId" IS NOT NULL`, [org.id]);
    expect(pending.rows[0].n).toBe(0);
  });

  test("a crash after the events were written but before the ledger said so: the next export (a re-send, or a later one) adds only what is new", async () => {
    const { org, secret } = await createTestOrg();
    const startMs = Date.now() - 10 * 60_000;
    const first = cumulativeExport("s-crash-2", startMs, 60, 1, 100);
    await postOtlp(server.url, "metrics", secret, first);
    const second = cumulativeExport("s-crash-2", startMs, 120, 4, 400);
    await postOtlp(server.url, "metrics", secret, second);
    expect(await totals(org.id)).toEqual({ cost: "4.000000000000", input: 400 });
    // Roll the ledger back to "events of the 2nd export written, not yet settled".
    const { rows } = await pool().query(`SELECT "eventId" FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "occurredAt" DESC LIMIT 1`, [org.id]);
    await pool().query(
      `UPDATE "TelemetrySeries" SET "pendingValue" = "countedValue", "pendingTimeUnixNano" = "countedTimeUnixNano", "pendingEventId" = $2,
              "countedValue" = CASE WHEN metric = 'claude_code.cost.usage' THEN 1 ELSE 100 END, "countedTimeUnixNano" = $3 WHERE "orgId" = $1`,
      [org.id, rows[0].eventId, String(BigInt(startMs + 60_000) * 1_000_000n)],
    );
    // A later, smaller-step export first (out of order), then the re-send: nothing counted twice.
    await postOtlp(server.url, "metrics", secret, cumulativeExport("s-crash-2", startMs, 180, 5, 500));
    await postOtlp(server.url, "metrics", secret, second);
    expect(await totals(org.id)).toEqual({ cost: "5.000000000000", input: 500 });
  });
});
