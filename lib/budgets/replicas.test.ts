// Two app processes on one database (docs/architecture.md §6): twenty concurrent ingests crossing
// 80 %, spread over both, produce exactly one 80 % alert and one email per recipient — checked by
// what the Resend SDK really sent to a local fake Resend.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { prisma } from "../db";
import { replicaCluster } from "../testing/replicas";
import { addMember, createTestOrg, createUser } from "../testing/fixtures";
import { api } from "../testing/machine-server";
import { createBudget } from "./manage";

const cluster = await replicaCluster("replicas");
beforeAll(() => cluster.start(), 60_000);
afterAll(() => cluster.stop());

const spend = (id: string, usd: string) => ({ id, kind: "tool", cost_usd: usd });

test("twenty concurrent ingests over two processes cross 80 % once: one alert, one email per recipient", { timeout: 60_000 }, async () => {
  const t = await createTestOrg();
  const people = [`owner-${randomBytes(3).toString("hex")}@example.test`, `admin-${randomBytes(3).toString("hex")}@example.test`];
  await addMember(t.org.id, (await createUser(people[0])).id, "OWNER");
  await addMember(t.org.id, (await createUser(people[1])).id, "ADMIN");
  const budget = await createBudget(t.org.id, null, { name: "Org monthly", scope: "ORG", amountUsd: "100", period: "MONTH", thresholds: [50, 80, 100] });
  expect((await api(cluster.replicas[0].url, "/api/v1/events", { secret: t.secret, body: spend("base", "79") })).status).toBe(200);
  const toPeople = () => cluster.resend.sent().filter((m) => people.includes(m.body.to[0]));
  await waitFor(() => toPeople().length === 2); // the 50 % alert, once each

  const posts = Array.from({ length: 20 }, (_, i) => api(cluster.replicas[i % 2].url, "/api/v1/events", { secret: t.secret, body: spend(`c${i}`, "0.5") }));
  const responses = await Promise.all(posts);
  for (const r of responses) expect(r.status).toBe(200);
  expect(responses.reduce((n, r) => n + r.body.accepted, 0)).toBe(20);

  await waitFor(() => toPeople().length >= 4);
  await new Promise((r) => setTimeout(r, 1500)); // a late duplicate would arrive by now
  const at80 = toPeople().slice(2);
  expect(at80.map((m) => m.body.to[0]).sort()).toEqual([...people].sort());
  // The subject gives the spend when the alert was recorded: $80.00 to $89.00, "of $100.00".
  for (const m of at80) expect(m.body.subject).toMatch(/budget at 8\d(\.\d)?% — \$8\d\.\d\d of \$100\.00/);
  const alerts = await prisma().budgetAlert.findMany({ where: { budgetId: budget.id }, orderBy: { threshold: "asc" } });
  expect(alerts.map((a) => [a.threshold, a.notified])).toEqual([
    [50, true],
    [80, true],
  ]);
});

async function waitFor(ready: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
