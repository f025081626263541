// Cumulative metrics exactly once across two app processes on one database (issue 10 §4): the
// per-series advisory locks are Postgres's, so replicas serialize on them too.
import { afterAll, beforeAll, expect, test } from "vitest";
import { pool } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { cumulativeExport, postOtlp } from "../testing/otlp";
import { replicaCluster } from "../testing/replicas";

const cluster = await replicaCluster("otlp_replicas");
beforeAll(() => cluster.start(), 60_000);
afterAll(() => cluster.stop(), 60_000);

test("the same cumulative exports sent to both replicas at once count each increase once", async () => {
  const { org, secret } = await createTestOrg();
  const startMs = Date.now() - 20 * 60_000;
  for (let n = 1; n <= 6; n++) {
    const body = cumulativeExport("s-replicas", startMs, 60 * n, 0.5 * n, 250 * n);
    const answers = await Promise.all(cluster.replicas.flatMap((r) => [postOtlp(r.url, "metrics", secret, body), postOtlp(r.url, "metrics", secret, body)]));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  }
  const { rows } = await pool().query(`SELECT sum("costUsd")::text AS cost, sum("inputTokens")::int AS input FROM "UsageEvent" WHERE "orgId" = $1`, [org.id]);
  expect(rows[0]).toEqual({ cost: "3.000000000000", input: 1500 });
});
