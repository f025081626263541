// The ingest statement is prepared once per connection, so Postgres soon runs it with a generic plan:
// one that knows no parameter values and guesses every CTE at a row or ten. A join whose shape
// depends on those guesses can turn into a scan of a whole table on every write (seen while
// reworking the counters: a lookup of each counter's stored state became a hash join over all of
// BudgetCounter, 800 ms a batch). The statement's per-row lookups are written so no estimate can do
// that; this holds the generic plan to it, with a BudgetCounter big enough that a scan would show.
import { afterAll, expect, test } from "vitest";
import { pool } from "../db";
import { createBudget } from "../budgets/manage";
import { createTestOrg } from "../testing/fixtures";
import { EVENT_COLUMNS, INGEST_SQL } from "./ingest-sql";

type TPlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: TPlanNode[] };

function scans(node: TPlanNode, out: string[] = []): string[] {
  if (node["Relation Name"]) out.push(`${node["Node Type"]} on ${node["Relation Name"]}`);
  for (const child of node.Plans ?? []) scans(child, out);
  return out;
}

const client = await pool().connect();
afterAll(() => client.release(true));

test("the generic plan reads BudgetCounter by index only, whatever the planner would prefer", async () => {
  const { org } = await createTestOrg();
  const budget = await createBudget(org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "5", period: "TOTAL" });
  await client.query(
    `INSERT INTO "BudgetCounter" (id, "orgId", "budgetId", "periodStart", "itemKey", "spentUsd")
     SELECT 'plan-' || $1 || '-' || n, $1, $2, 'epoch', 'run-' || n, 0.01 FROM generate_series(1, 30000) AS n`,
    [org.id, budget.id],
  );
  await client.query(`ANALYZE "BudgetCounter"`);
  await client.query(`PREPARE ingest_plan_test AS ${INGEST_SQL}`);
  await client.query(`SET plan_cache_mode = force_generic_plan`);
  // And a planner that would rather not probe row by row: only a lookup that cannot be anything
  // else (a LATERAL subquery with LIMIT) stays an index probe under this.
  await client.query(`SET enable_nestloop = off`);
  const nulls = Array.from({ length: EVENT_COLUMNS.length + 3 }, () => "NULL").join(", ");
  const { rows } = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ingest_plan_test(${nulls})`);
  const read = scans(rows[0]["QUERY PLAN"][0].Plan);
  const counters = read.filter((s) => s.endsWith(" on BudgetCounter"));
  expect(counters).toContain("Index Scan on BudgetCounter");
  expect(counters.filter((s) => !/^(Index (Only )?Scan|ModifyTable) on /.test(s))).toEqual([]);
});
