// Alerts exactly once, level-triggered (docs/architecture.md §6): however the spend got over a
// threshold — an ingest, a late event, a budget created or lowered — one alert per (budget, period,
// item, threshold, kind, epoch), one message for the highest threshold of a jump, only for the
// current period, and a sweep that records what a crash left unrecorded.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool, prisma } from "../db";
import { verifyBurnrateSignature } from "../alerts/signature";
import { alertsOf, emailsOf, orgWithPeople, settled, sleep, spend } from "../testing/budget-alerts";
import { createCostCenter, createTeam, createTestKey } from "../testing/fixtures";
import { startWebhookReceiver } from "../testing/webhook-receiver";
import { api, startMachineServer } from "../testing/machine-server";
import { resumeExecution } from "../executions/resume";
import { evaluateDueCounters, sweepBudgets } from "./evaluate";
import { archiveBudget, createBudget, updateBudget } from "./manage";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const post = (secret: string, body: unknown) => api(server.url, "/api/v1/events", { secret, body });

describe("threshold alerts", () => {
  test("one ingest from 10 % to 120 % sends one message naming 100 %, and records 50 and 80 % as passed", async () => {
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH" });
    await post(w.secret, spend("a", "1"));
    const res = await post(w.secret, spend("b", "11"));
    expect(res.body.budgets).toEqual([
      expect.objectContaining({ budget_id: b.id, scope: "org", period: "month", limit_usd: "10.00", spent_usd: "12.00", remaining_usd: "0.00", state: "exceeded" }),
    ]);
    const alerts = await settled(() => alertsOf(b.id), (a) => a.length === 3);
    expect(alerts.map((a) => [a.threshold, a.notified, a.spentUsd.toString()])).toEqual([
      [50, false, "12"],
      [80, false, "12"],
      [100, true, "12"],
    ]);
    expect(await settled(() => emailsOf(alerts[2].id), (e) => e.length > 0)).toEqual(w.recipients);
    expect(await emailsOf(alerts[0].id)).toEqual([]);
    // Its links: the org's dashboard over this month (the org's dates), and the budget.
    const mail = await prisma().emailOutbox.findFirstOrThrow({ where: { alertId: alerts[2].id } });
    const { event } = mail.payload as { event: { dashboard_url: string; budget_url: string } };
    const month = new Date().toISOString().slice(0, 7);
    expect(event.dashboard_url).toMatch(new RegExp(`/${w.org.slug}/overview\\?range=custom&from=${month}-01&to=${month}-(28|29|30|31)$`));
    expect(event.budget_url).toMatch(new RegExp(`/${w.org.slug}/budgets\\?budget=${b.id}$`));
  });


  test("a re-sent batch moves no counter and still answers every budget its events fall under, as it stands", async () => {
    const w = await orgWithPeople();
    const org = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH" });
    const each = await createBudget(w.org.id, null, { scope: "TASK", scopeValue: "*", amountUsd: "4", period: "TOTAL" });
    const batch = [spend("r1", "1.5", { task: "T-1" }), spend("r2", "2", { task: "T-2" })];
    const first = await post(w.secret, { events: batch });
    const again = await post(w.secret, { events: batch });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 });
    const answer = (body: any) => body.budgets.map((b: any) => [b.budget_id, b.item ?? null, b.spent_usd]).sort();
    expect(answer(again.body)).toEqual(answer(first.body));
    expect(answer(again.body)).toEqual([[each.id, "T-1", "1.50"], [each.id, "T-2", "2.00"], [org.id, null, "3.50"]].sort());
    // One new event beside the duplicates: its task's counter moves; the other task's is read as it stands.
    const mixed = await post(w.secret, { events: [...batch, spend("r3", "1", { task: "T-1" })] });
    expect(mixed.body).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(answer(mixed.body)).toEqual([[each.id, "T-1", "2.50"], [each.id, "T-2", "2.00"], [org.id, null, "4.50"]].sort());
  });
  test("a budget is answered once however many of the request's executions fall under it; the execution's state is from its own budgets", async () => {
    const w = await orgWithPeople();
    const org = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH" });
    const each = await createBudget(w.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "2", period: "TOTAL" });
    // run-a (not the one of interest) goes over its own budget; run-b, the last event's, does not.
    const res = await post(w.secret, { events: [spend("x1", "2.5", { execution_id: "run-a" }), spend("x2", "1", { execution_id: "run-a" }), spend("x3", "0.5", { execution_id: "run-b" })] });
    expect(res.status).toBe(200);
    const answer = res.body.budgets.map((b: any) => [b.budget_id, b.item ?? null, b.spent_usd, b.state]).sort();
    expect(answer).toEqual([[each.id, "run-a", "3.50", "exceeded"], [each.id, "run-b", "0.50", "ok"], [org.id, null, "4.00", "ok"]].sort());
    expect(res.body.execution).toEqual({ id: "run-b", cost_usd: "0.50", state: "ok", reason: null });
  });

  test("twenty concurrent ingests crossing 80 % record one 80 % alert and queue one email per recipient", async () => {
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "100", period: "MONTH", thresholds: [80] });
    await post(w.secret, spend("base", "79"));
    const posts = Array.from({ length: 20 }, (_, i) => post(w.secret, spend(`c${i}`, "0.5")));
    for (const r of await Promise.all(posts)) expect(r.status).toBe(200);
    await sweepBudgets(); // and a sweep racing the follow-ups changes nothing
    const alerts = await settled(() => alertsOf(b.id), (a) => a.length >= 1);
    await sleep(300);
    expect((await alertsOf(b.id)).map((a) => a.threshold)).toEqual([80]);
    expect(await settled(() => emailsOf(alerts[0].id), (e) => e.length === 2)).toEqual(w.recipients);
    const counter = await prisma().budgetCounter.findFirstOrThrow({ where: { budgetId: b.id } });
    expect(counter.spentUsd.toString()).toBe("89");
  });

  test("a budget created or lowered below the spend alerts at once; raising it never re-sends a threshold still passed", async () => {
    const w = await orgWithPeople();
    await post(w.secret, spend("s1", "6"));
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH" });
    expect((await alertsOf(b.id)).map((a) => [a.threshold, a.notified])).toEqual([[50, true]]);

    await updateBudget(w.org.id, null, b.id, { amountUsd: "7" }); // 86 %
    expect((await alertsOf(b.id)).map((a) => [a.threshold, a.notified, a.epoch])).toEqual([
      [50, true, 0],
      [80, true, 0],
    ]);

    await updateBudget(w.org.id, null, b.id, { amountUsd: "11" }); // 55 %: 50 % still passed, 80 % re-armed
    let alerts = await alertsOf(b.id);
    expect(alerts.filter((a) => a.epoch === 1).map((a) => [a.threshold, a.notified])).toEqual([[50, false]]);

    await post(w.secret, spend("s2", "3")); // 9 of 11 = 82 %: 80 % alerts again, in the new epoch
    alerts = await settled(() => alertsOf(b.id), (a) => a.some((x) => x.epoch === 1 && x.threshold === 80));
    expect(alerts.filter((a) => a.epoch === 1).map((a) => [a.threshold, a.notified])).toEqual([
      [50, false],
      [80, true],
    ]);
  });

  test("a cost center's budget mails its owner with the owners and admins, and posts to the org's default webhook, signed", async () => {
    const w = await orgWithPeople();
    const receiver = await startWebhookReceiver();
    try {
      const cc = await createCostCenter(w.org.id, "CC-RND");
      await prisma().costCenter.update({ where: { id: cc.id }, data: { ownerEmail: "cfo@example.test" } });
      const team = await createTeam(w.org.id, "research", cc.id);
      const key = await createTestKey({ orgId: w.org.id, name: "agent", scopes: ["ingest"], teamId: team.id });
      await prisma().organization.update({ where: { id: w.org.id }, data: { alertWebhookUrl: `${receiver.url}/hooks/org` } });
      const b = await createBudget(w.org.id, null, { scope: "COST_CENTER", scopeValue: cc.id, amountUsd: "10", period: "MONTH", thresholds: [100] });
      await post(key.secret, spend("cc1", "12"));
      const [alert] = await settled(() => alertsOf(b.id), (a) => a.length === 1);
      expect(await settled(() => emailsOf(alert.id), (e) => e.length === 3)).toEqual(["cfo@example.test", ...w.recipients].sort());
      const [hook] = await settled(async () => receiver.received, (r) => r.length > 0);
      expect(hook.path).toBe("/hooks/org");
      const { webhookSecret } = await prisma().organization.findUniqueOrThrow({ where: { id: w.org.id } });
      expect(verifyBurnrateSignature(webhookSecret!, hook.headers["burnrate-signature"] as string, hook.raw)).toBe(true);
      expect(JSON.parse(hook.body)).toMatchObject({ id: alert.id, budget: { id: b.id, scope: "cost_center", scope_value: "CC-RND" }, threshold_percent: 100, spent_usd: "12.00" });
    } finally {
      await receiver.close();
    }
  });

  test("each period has its own thresholds: yesterday's 100 % does not silence today's", async () => {
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "1", period: "DAY", thresholds: [100] });
    // Yesterday went over and alerted, as it did while yesterday was the current day.
    await pool().query(
      `INSERT INTO "BudgetAlert" (id, "orgId", "budgetId", "periodStart", "itemKey", threshold, kind, epoch, "spentUsd", "limitUsd", notified)
       VALUES (gen_random_uuid()::text, $1, $2, date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 day', '', 100, 'ACTUAL', 0, 2, 1, true)`,
      [w.org.id, b.id],
    );
    await post(w.secret, spend("t", "2"));
    const alerts = await settled(() => alertsOf(b.id), (a) => a.length === 2);
    expect(new Set(alerts.map((a) => a.periodStart.toISOString())).size).toBe(2);
    expect(alerts.every((a) => a.notified)).toBe(true);
    expect(await emailsOf(alerts.at(-1)!.id)).toEqual(w.recipients);
  });

  test("per-item budgets alert per task; an archived budget is neither counted nor alerted", async () => {
    const w = await orgWithPeople();
    const each = await createBudget(w.org.id, null, { scope: "TASK", scopeValue: "*", amountUsd: "1", period: "TOTAL", thresholds: [100] });
    const gone = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "1", period: "TOTAL", thresholds: [100] });
    await archiveBudget(w.org.id, null, gone.id);
    await post(w.secret, { events: [spend("p1", "1", { task: "alpha" }), spend("p2", "0.5", { task: "beta" }), spend("p3", "2", { task: "gamma" })] });
    const alerts = await settled(() => alertsOf(each.id), (a) => a.length === 2);
    expect(alerts.map((a) => a.itemKey).sort()).toEqual(["alpha", "gamma"]);
    expect(await alertsOf(gone.id)).toEqual([]);
    expect(await prisma().budgetCounter.count({ where: { budgetId: gone.id } })).toBe(0);
  });

  test("a per-item budget made over items already past it records them as passed instead of mailing each", async () => {
    const w = await orgWithPeople();
    await post(w.secret, { events: [spend("o1", "3", { task: "old-1" }), spend("o2", "5", { task: "old-2" })] });
    const each = await createBudget(w.org.id, null, { scope: "TASK", scopeValue: "*", amountUsd: "1", period: "TOTAL", thresholds: [100] });
    expect((await alertsOf(each.id)).map((a) => [a.itemKey, a.notified]).sort()).toEqual([
      ["old-1", false],
      ["old-2", false],
    ]);
    expect(await prisma().emailOutbox.count({ where: { alertId: { in: (await alertsOf(each.id)).map((a) => a.id) } } })).toBe(0);
    // A task that crosses from now on is mailed as usual.
    await post(w.secret, spend("n1", "2", { task: "new-1" }));
    const fresh = await settled(() => alertsOf(each.id), (a) => a.some((x) => x.itemKey === "new-1"));
    const alert = fresh.find((a) => a.itemKey === "new-1")!;
    expect(alert.notified).toBe(true);
    expect(await settled(() => emailsOf(alert.id), (e) => e.length > 0)).toEqual(w.recipients);
  });

  test("the sweep records an alert the follow-up never did (a crash between commit and evaluation)", async () => {
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH", thresholds: [100] });
    // The counter moved but nothing evaluated it, as after a crash right after COMMIT.
    await pool().query(`INSERT INTO "BudgetCounter" (id, "orgId", "budgetId", "periodStart", "itemKey", "spentUsd", "updatedAt")
                        SELECT gen_random_uuid()::text, $1, $2, date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', '', 15, now()`, [w.org.id, b.id]);
    expect(await alertsOf(b.id)).toEqual([]);
    await sweepBudgets();
    expect((await alertsOf(b.id)).map((a) => [a.threshold, a.notified])).toEqual([[100, true]]);
    await sweepBudgets();
    expect(await alertsOf(b.id)).toHaveLength(1);
  });

  test("the sweep re-evaluates every budget, however long ago its counter moved (a process down for an hour)", async () => {
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "TOTAL", thresholds: [100] });
    // Over the limit, and neither it nor its budget changed for an hour: the crash was that long ago.
    await pool().query(`INSERT INTO "BudgetCounter" (id, "orgId", "budgetId", "periodStart", "itemKey", "spentUsd", "updatedAt")
                        VALUES (gen_random_uuid()::text, $1, $2, '1970-01-01T00:00:00Z', '', 15, now() - interval '1 hour')`, [w.org.id, b.id]);
    await pool().query(`UPDATE "Budget" SET "updatedAt" = now() - interval '1 hour' WHERE id = $1`, [b.id]);
    await sweepBudgets();
    const alerts = await alertsOf(b.id);
    expect(alerts.map((a) => [a.threshold, a.notified])).toEqual([[100, true]]);
    expect(await emailsOf(alerts[0].id)).toEqual(w.recipients);
  });

  test("an ended period alerts no one: a new budget over last days' spend, a late event into yesterday", async () => {
    const w = await orgWithPeople("Asia/Kolkata");
    const DAY_MS = 86_400_000;
    // $20 on each of the three days before today (org-local), $6 today.
    const past = [1, 2, 3].map((d) => spend(`past-${d}`, "20", { timestamp: new Date(Date.now() - d * DAY_MS).toISOString() }));
    expect((await post(w.secret, { events: [...past, spend("today", "6")] })).status).toBe(200);
    const day = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "DAY", thresholds: [50, 100] });
    const { rows } = await pool().query(`SELECT date_trunc('day', now() AT TIME ZONE 'Asia/Kolkata') AT TIME ZONE 'Asia/Kolkata' AS today`);
    // Every day's counter is there (the budget page shows last days' spend) …
    expect(await prisma().budgetCounter.count({ where: { budgetId: day.id } })).toBeGreaterThanOrEqual(3);
    // … but only today's can alert: $6 of $10 is 50 %.
    const alerts = await settled(() => alertsOf(day.id), (a) => a.length > 0);
    expect(alerts.map((a) => [a.periodStart.toISOString(), a.threshold, a.notified])).toEqual([[rows[0].today.toISOString(), 50, true]]);
    // A late event pushing an ended day further moves that day's counter and sends nothing; the sweep
    // agrees. (Two days back: yesterday may have ended less than ALERT_GRACE ago.)
    await post(w.secret, spend("late", "5", { timestamp: new Date(Date.now() - 2 * DAY_MS).toISOString() }));
    // At noon today (org-local), so yesterday is past its grace whenever the suite runs.
    await sweepBudgets({ orgId: w.org.id, at: new Date(rows[0].today.getTime() + 12 * 3_600_000) });
    await sleep(200);
    expect((await alertsOf(day.id)).map((a) => a.threshold)).toEqual([50]);
    // Lowering the budget re-evaluates today only: $6 of $5 is 100 %.
    await updateBudget(w.org.id, null, day.id, { amountUsd: "5" });
    const after = await settled(() => alertsOf(day.id), (a) => a.some((x) => x.threshold === 100));
    expect(after.filter((a) => a.threshold === 100).map((a) => a.periodStart.toISOString())).toEqual([rows[0].today.toISOString()]);
  });

  test("a crossing in a period's last moments still alerts after it ends, even after hours down; a late one does not", async () => {
    const { rows } = await pool().query<{ today: Date }>(`SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS today`);
    const today = rows[0].today.getTime();
    const HOUR = 3_600_000;
    // Yesterday (UTC) went over, its counter last moved at `movedAt`; the budget is older than that.
    async function yesterdayOver(movedAt: number) {
      const w = await orgWithPeople();
      const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "DAY", thresholds: [100] });
      await pool().query(`UPDATE "Budget" SET "updatedAt" = $2 WHERE id = $1`, [b.id, new Date(today - 30 * HOUR)]);
      await pool().query(`INSERT INTO "BudgetCounter" (id, "orgId", "budgetId", "periodStart", "itemKey", "spentUsd", "updatedAt")
                          VALUES (gen_random_uuid()::text, $1, $2, $3, '', 12, $4)`, [w.org.id, b.id, new Date(today - 24 * HOUR), new Date(movedAt)]);
      return { w, b };
    }
    // Moved at 23:59 and the process died before evaluating it; back at 02:00: still news.
    const onTime = await yesterdayOver(today - 60_000);
    await sweepBudgets({ at: new Date(today + 2 * HOUR), orgId: onTime.w.org.id });
    const alerts = await alertsOf(onTime.b.id);
    expect(alerts.map((a) => [a.periodStart.getTime(), a.threshold, a.notified])).toEqual([[today - 24 * HOUR, 100, true]]);
    expect(await emailsOf(alerts[0].id)).toEqual(onTime.w.recipients);
    // Moved at 00:30 (a late event into yesterday): history, whenever the sweep runs.
    const late = await yesterdayOver(today + 30 * 60_000);
    await sweepBudgets({ at: new Date(today + 2 * HOUR), orgId: late.w.org.id });
    expect(await alertsOf(late.b.id)).toEqual([]);
  });

  test("the sweep finds an item whose limit a resume set below the budget's amount", async () => {
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "10", period: "TOTAL", enforcement: "BLOCK", thresholds: [100] });
    await post(w.secret, spend("r1", "3", { execution_id: "run-low" }));
    // Stopped by something else (a person, the circuit breaker), resumed with a $4 limit: $6 under the budget's.
    await pool().query(`UPDATE "Execution" SET status = 'BLOCKED', "blockedReason" = 'stopped by hand' WHERE "orgId" = $1 AND "executionId" = 'run-low'`, [w.org.id]);
    await resumeExecution(w.org.id, null, "run-low", null, { limitUsd: "4" });
    // $5 spent, and the process died before the follow-up evaluated it.
    await pool().query(`UPDATE "BudgetCounter" SET "spentUsd" = 5 WHERE "budgetId" = $1 AND "itemKey" = 'run-low'`, [b.id]);
    expect(await sweepBudgets({ orgId: w.org.id })).toMatchObject({ alerts: 1, blocked: 1 });
    expect((await alertsOf(b.id)).map((a) => [a.itemKey, a.threshold, a.limitUsd.toString()])).toEqual([["run-low", 100, "4"]]);
    expect((await prisma().execution.findFirstOrThrow({ where: { orgId: w.org.id, executionId: "run-low" } })).status).toBe("BLOCKED");
  });

  test("evaluating the same counter from many places at once still records each alert once", async () => {
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "1", period: "MONTH", thresholds: [100] });
    await pool().query(`INSERT INTO "BudgetCounter" (id, "orgId", "budgetId", "periodStart", "itemKey", "spentUsd", "updatedAt")
                        SELECT gen_random_uuid()::text, $1, $2, date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', '', 5, now()`, [w.org.id, b.id]);
    const counter = await prisma().budgetCounter.findFirstOrThrow({ where: { budgetId: b.id } });
    const due = { orgId: w.org.id, budgetId: b.id, periodStart: counter.periodStart, itemKey: "", spentUsd: "5", dueThresholds: [100], blockDue: false, budget: { enforcement: "ALERT" as const, scope: "ORG", amountUsd: "1" } };
    const results = await Promise.all(Array.from({ length: 10 }, () => evaluateDueCounters([due])));
    expect(results.reduce((n, r) => n + r.alerts, 0)).toBe(1);
    const alerts = await alertsOf(b.id);
    expect(alerts).toHaveLength(1);
    expect(await emailsOf(alerts[0].id)).toEqual(w.recipients);
  });
});
