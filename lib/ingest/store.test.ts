// One write for several requests (the group commit): each request is answered with the budgets its
// own events fall under, each once, and "of interest" relative to its own execution.
import { expect, test } from "vitest";
import { createBudget } from "../budgets/manage";
import { authenticateKey } from "../keys/authenticate";
import { createTestOrg } from "../testing/fixtures";
import { prepareEvents } from "./prepare";
import { jobsOfCounter, sortRows, storeEvents } from "./store";

const spend = (id: string, usd: string, extra: Record<string, unknown>) => ({ id, kind: "tool", cost_usd: usd, ...extra });

// An org, its key, and three budgets named for the answers: the org's, each execution's, the reviewer agent's.
async function orgWithThreeBudgets() {
  const t = await createTestOrg();
  const key = await authenticateKey(t.secret);
  if (typeof key === "string") throw new Error(key);
  const org = await createBudget(t.org.id, null, { scope: "ORG", amountUsd: "100", period: "MONTH" });
  const each = await createBudget(t.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "5", period: "TOTAL" });
  const agent = await createBudget(t.org.id, null, { scope: "AGENT", scopeValue: "reviewer", amountUsd: "50", period: "MONTH" });
  return { key, names: new Map([[org.id, "org"], [each.id, "each"], [agent.id, "agent"]]) };
}

test("a shared write answers each job with its own budgets, each once, of interest where its execution is", async () => {
  const { key, names } = await orgWithThreeBudgets();
  // Job 0: run-a (of interest) and run-b; job 1: run-c (of interest) by the reviewer agent; job 2 re-sends
  // job 0's run-b event (a duplicate in the same write) and has no execution of interest.
  const jobs = [
    [spend("a1", "1", { execution_id: "run-a" }), spend("b1", "2", { execution_id: "run-b" }), spend("a2", "1", { execution_id: "run-a" })],
    [spend("c1", "3", { execution_id: "run-c", agent: "reviewer" })],
    [spend("b1", "2", { execution_id: "run-b" })],
  ];
  const prepared = await Promise.all(jobs.map(async (events) => (await prepareEvents(key, events)).rows));
  // As the group commit sends them: each (org, event id) once, with the jobs that sent it.
  const owner = new Map<string, { row: (typeof prepared)[number][number]; jobs: number[] }>();
  prepared.forEach((rows, job) => {
    for (const row of rows) {
      const seen = owner.get(row.eventId);
      if (seen) seen.jobs.push(job);
      else owner.set(row.eventId, { row, jobs: [job] });
    }
  });
  const rows = sortRows([...owner.values()].map((o) => o.row));
  const stored = await storeEvents(rows, {
    jobList: rows.map((r) => owner.get(r.eventId)!.jobs.join(",")),
    jobExecutions: ["run-a", "run-c", null],
  });
  expect(stored.insertedCount).toBe(4);
  const answer = (job: number) =>
    (stored.budgets.get(job) ?? []).map((s) => [`${names.get(s.budgetId)}${s.itemKey ? `:${s.itemKey}` : ""}`, s.spentUsd.replace(/\.?0+$/, ""), s.ofInterest]).sort();
  expect(answer(0)).toEqual([["each:run-a", "2", true], ["each:run-b", "2", false], ["org", "7", true]].sort());
  expect(answer(1)).toEqual([["agent", "3", true], ["each:run-c", "3", true], ["org", "7", true]].sort());
  expect(answer(2)).toEqual([["each:run-b", "2", false], ["org", "7", false]].sort());
});

test("a write of one job lists every budget its events fall under, of interest only where its execution is", async () => {
  const { key, names } = await orgWithThreeBudgets();
  const events = [spend("a1", "1", { execution_id: "run-a" }), spend("b1", "2", { execution_id: "run-b", agent: "reviewer" })];
  const rows = sortRows((await prepareEvents(key, events)).rows);
  const stored = await storeEvents(rows, { jobList: rows.map(() => "0"), jobExecutions: ["run-a"] });
  const answer = (stored.budgets.get(0) ?? []).map((s) => [`${names.get(s.budgetId)}${s.itemKey ? `:${s.itemKey}` : ""}`, s.spentUsd.replace(/\.?0+$/, ""), s.budget.amountUsd.replace(/\.?0+$/, ""), s.ofInterest]);
  expect(answer.sort()).toEqual([["agent", "2", "50", false], ["each:run-a", "1", "5", true], ["each:run-b", "2", "5", false], ["org", "3", "100", true]].sort());
  expect([...stored.budgets.keys()]).toEqual([0]);
});

test("job codes fold to each job once, of interest if any code says so", () => {
  expect([...jobsOfCounter("0,1,0,4,5,4")]).toEqual([[0, true], [2, true]]);
  expect([...jobsOfCounter("2,2")]).toEqual([[1, false]]);
  expect([...jobsOfCounter(null)]).toEqual([]);
});
