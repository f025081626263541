import type { Prisma } from "../generated/prisma/client";
import { invalid } from "../errors";
import { Decimal, formatUsd } from "../money";
import { lockOrgBudgets } from "./backfill";
import { ITEM_LIMIT } from "./counters";
import { insertBudget } from "./manage";
import { BUDGET_PERIOD_AT } from "./sql";

// One task's or one execution's limit, changed by an approval (more money) or by a person resuming
// it with a new limit. The change is an allowance (BudgetAllowance) on every BLOCK budget of that
// scope that applies to the item — "each" (*) or that one item — in the budget's current period,
// so every reader of a counter's state sees the new limit (lib/budgets/counters.ts ITEM_LIMIT):
// the ingest answer, the budget check, the sweep's blocking and the budgets page.
// When no such budget applies (the circuit breaker stopped it, not a budget), the item gets a budget
// of its own — BLOCK, all time, at what it has spent plus the change — visible on the budgets page.

type TTx = Prisma.TransactionClient;

export type TItemScope = "EXECUTION" | "TASK";
// add: raise the limit by this much (an approval); limit: set it to this (a resume).
export type TLimitChange = { add: string } | { limit: string };
export type TItemLimit = { budgetId: string; periodStart: Date; spentUsd: string; limitUsd: string };
export type TLimitChangeResult = {
  limits: TItemLimit[];
  // A budget made for the item: the caller runs settleNewBudget after its commit.
  createdBudgetId: string | null;
  // The tightest limit on the item now, and whether the item is under every one of them.
  limitUsd: string | null;
  underLimit: boolean;
};

export async function changeItemLimit(
  tx: TTx,
  args: { orgId: string; scope: TItemScope; item: string; change: TLimitChange; approvalId: string | null; grantedBy: string | null },
): Promise<TLimitChangeResult> {
  const { orgId, scope, item, change } = args;
  // Against ingest: writes in flight finish first, and the next one reads the new limit.
  await lockOrgBudgets(tx, orgId);
  const add = "add" in change ? change.add : null;
  const target = "limit" in change ? change.limit : null;
  const limits = await tx.$queryRawUnsafe<TItemLimit[]>(
    `WITH k AS (
       SELECT b.id AS "budgetId", b."orgId", b.scope, b."amountUsd", $3::text AS "itemKey",
              ${BUDGET_PERIOD_AT("b", "now()", "o.timezone")} AS "periodStart"
         FROM "Budget" b JOIN "Organization" o ON o.id = b."orgId"
        WHERE b."orgId" = $1 AND b."archivedAt" IS NULL AND b.enforcement = 'BLOCK' AND b.scope = $2::"BudgetScope"
          AND b."scopeValue" IN ('*', $3)
     ),
     cur AS (
       SELECT k.*, ${ITEM_LIMIT("k", "k")} AS lim,
              coalesce((SELECT c."spentUsd" FROM "BudgetCounter" c WHERE c."orgId" = k."orgId" AND c."budgetId" = k."budgetId"
                          AND c."periodStart" = k."periodStart" AND c."itemKey" = k."itemKey"), 0) AS spent
         FROM k
     ),
     d AS (SELECT cur.*, coalesce($4::numeric, $5::numeric - cur.lim) AS delta FROM cur),
     granted AS (
       INSERT INTO "BudgetAllowance" (id, "orgId", "budgetId", "periodStart", "itemKey", "extraUsd", "approvalId", "grantedBy")
       SELECT gen_random_uuid()::text, "orgId", "budgetId", "periodStart", "itemKey", delta, $6, $7 FROM d WHERE delta <> 0
     )
     SELECT "budgetId", "periodStart", spent::text AS "spentUsd", (lim + delta)::text AS "limitUsd" FROM d ORDER BY "budgetId"`,
    orgId,
    scope,
    item,
    add,
    target,
    args.approvalId,
    args.grantedBy,
  );
  let createdBudgetId: string | null = null;
  if (limits.length === 0) {
    const spent = await itemSpend(tx, orgId, scope, item);
    const amount = add !== null ? new Decimal(spent).plus(add) : new Decimal(target!);
    if (amount.lte(spent)) throw limitNotAboveSpend(spent);
    const budget = await insertBudget(tx, orgId, args.grantedBy, {
      scope,
      scopeValue: item,
      amountUsd: amount.toDecimalPlaces(6, Decimal.ROUND_DOWN).toFixed(),
      period: "TOTAL",
      enforcement: "BLOCK",
      // A hard stop, not a pool to watch fill up: it speaks when it blocks again.
      thresholds: [100],
      forecastAlerts: false,
    });
    createdBudgetId = budget.id;
    limits.push({ budgetId: budget.id, periodStart: new Date(0), spentUsd: spent, limitUsd: budget.amountUsd.toString() });
  }
  const tightest = limits.reduce<TItemLimit | null>((min, l) => (!min || new Decimal(l.limitUsd).lt(min.limitUsd) ? l : min), null);
  return {
    limits,
    createdBudgetId,
    limitUsd: tightest ? new Decimal(tightest.limitUsd).toFixed() : null,
    underLimit: limits.every((l) => new Decimal(l.spentUsd).lt(l.limitUsd)),
  };
}

export const limitNotAboveSpend = (spentUsd: string) =>
  invalid(`The new limit must be above what it has spent (${formatUsd(spentUsd)} USD)`, [{ path: "limitUsd", message: `must be more than ${formatUsd(spentUsd)}` }]);

// All-time spend of one execution or task: the sum of its stored events (an execution's row holds it).
async function itemSpend(tx: TTx, orgId: string, scope: TItemScope, item: string): Promise<string> {
  const rows =
    scope === "EXECUTION"
      ? await tx.$queryRaw<{ spent: string }[]>`SELECT coalesce(sum("costUsd"), 0)::text AS spent FROM "Execution" WHERE "orgId" = ${orgId} AND "executionId" = ${item}`
      : await tx.$queryRaw<{ spent: string }[]>`SELECT coalesce(sum("costUsd"), 0)::text AS spent FROM "UsageEvent" WHERE "orgId" = ${orgId} AND task = ${item}`;
  return rows[0]?.spent ?? "0";
}
