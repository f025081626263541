// drainIngest() (lib/ingest/group-commit.ts): what shutdown waits for. Its own file: draining lasts
// for the life of the process. Kept here, beside the shutdown, so lib/ingest stays the ingest work's.
import { expect, test } from "vitest";
import { DomainError } from "../errors";
import { pool } from "../db";
import { drainIngest, submitEvents } from "../ingest/group-commit";
import { prepareEvents } from "../ingest/prepare";
import { authenticateKey } from "../keys/authenticate";
import { ev } from "../testing/events-api";
import { createTestOrg } from "../testing/fixtures";

test("drainIngest resolves once every queued post is committed; posts after it fail fast with a 503", async () => {
  const { org, secret } = await createTestOrg();
  const key = await authenticateKey(secret);
  if (typeof key === "string") throw new Error(key);

  const batches = await Promise.all(
    Array.from({ length: 12 }, async (_, b) => (await prepareEvents(key, Array.from({ length: 150 }, (_, i) => ev(`b${b}-e${i}`, { execution_id: `run-${b % 3}` })))).rows),
  );
  let settled = 0;
  const posts = batches.map((rows) => submitEvents(rows, null).finally(() => settled++));
  // Shutdown begins while those writes are queued and in flight.
  const drained = drainIngest().then(() => settled);

  expect(await drained).toBe(batches.length);
  const results = await Promise.all(posts);
  expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(12 * 150);
  const { rows } = await pool().query(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [org.id]);
  expect(rows[0].n).toBe(12 * 150);

  const refused = await submitEvents(batches[0], null).catch((e) => e);
  expect(refused).toBeInstanceOf(DomainError);
  expect(refused).toMatchObject({ status: 503, code: "unavailable", headers: { "Retry-After": "1" } });
  // Draining again (a second signal's shutdown path) resolves at once.
  await drainIngest();
});
