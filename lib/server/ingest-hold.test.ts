// holdIngest() (lib/ingest/group-commit.ts): work accepted before a shutdown whose events come later
// (a gateway call still being relayed) is waited for and stored, not refused. Its own file: draining
// lasts for the life of the process.
import { expect, test } from "vitest";
import { DomainError } from "../errors";
import { pool } from "../db";
import { drainIngest, holdIngest, submitEvents } from "../ingest/group-commit";
import { prepareEvents } from "../ingest/prepare";
import { authenticateKey } from "../keys/authenticate";
import { ev } from "../testing/events-api";
import { createTestOrg } from "../testing/fixtures";

test("the drain waits for a hold taken before it, whose events are then stored; a new post or hold is refused", async () => {
  const { org, secret } = await createTestOrg();
  const key = await authenticateKey(secret);
  if (typeof key === "string") throw new Error(key);
  const rows = (await prepareEvents(key, [ev("held-1"), ev("held-2")])).rows;
  const late = (await prepareEvents(key, [ev("late-1")])).rows;

  let told = 0;
  const hold = holdIngest(() => told++);
  let drained = false;
  const drain = drainIngest().then(() => (drained = true));
  await new Promise((r) => setTimeout(r, 50));
  expect(drained, "the drain waits while a hold is open").toBe(false);
  expect(told, "the hold is told the drain began, once").toBe(1);

  // Shutdown has begun: a new post is refused, the held work's events are stored.
  const refused = await submitEvents(late, null).catch((e) => e);
  expect(refused).toBeInstanceOf(DomainError);
  expect(refused).toMatchObject({ status: 503 });
  expect(() => holdIngest()).toThrow(DomainError);
  const result = await hold.submit(rows, null);
  expect(result.accepted).toBe(2);
  hold.release();
  hold.release();
  await drain;
  expect(told).toBe(1);
  const { rows: stored } = await pool().query(`SELECT "eventId" FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY 1`, [org.id]);
  expect(stored.map((r) => r.eventId)).toEqual(["held-1", "held-2"]);
  // Released, the hold submits like anyone else: refused.
  expect(await hold.submit(late, null).catch((e) => e)).toMatchObject({ status: 503 });
});
