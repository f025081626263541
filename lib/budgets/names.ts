import type pg from "pg";
import { pool } from "../db";

// What people call a budget and its scope's value, for alerts, the budget check's reason and the
// budgets page: the one naming, so a blocked agent's reason and the email name the same budget.

type TQueryable = Pick<pg.Pool | pg.PoolClient, "query">;

// The scope's value as people read it: a team's slug, a cost center's code, a key's prefix.
export async function scopeLabel(client: TQueryable, orgId: string, scope: string, value: string): Promise<string | null> {
  const lookups: Record<string, string> = {
    TEAM: `SELECT slug AS label FROM "Team" WHERE "orgId" = $1 AND id = $2`,
    COST_CENTER: `SELECT code AS label FROM "CostCenter" WHERE "orgId" = $1 AND id = $2`,
    KEY: `SELECT prefix AS label FROM "VirtualKey" WHERE "orgId" = $1 AND id = $2`,
  };
  if (scope === "ORG") return null;
  if (!lookups[scope]) return value;
  const { rows } = await client.query<{ label: string }>(lookups[scope], [orgId, value]);
  return rows[0]?.label ?? value;
}

export function defaultBudgetName(scope: string, label: string | null): string {
  const scopeWord = scope.toLowerCase().replace("_", " ");
  if (scope === "ORG") return "Organization";
  if (label === "*") return `Each ${scopeWord}`;
  return label ? `${scopeWord[0].toUpperCase()}${scopeWord.slice(1)} ${label}` : scopeWord;
}

// A per-task / per-execution budget as its item's block reason names it: its name, or the item
// ("Execution run-42"), the same in the ingest answer, the stored blocked reason and the check.
export function itemBudgetName(budget: { name: string | null; scope: string }, item: string): string {
  return budget.name ?? defaultBudgetName(budget.scope.toUpperCase(), item);
}

// A budget's name, or what alerts call it unnamed ("Team platform", "Each execution", "Organization").
export async function budgetDisplayName(client: TQueryable, orgId: string, budget: { name: string | null; scope: string; scopeValue: string }): Promise<string> {
  return budget.name ?? defaultBudgetName(budget.scope, await scopeLabel(client, orgId, budget.scope, budget.scopeValue));
}

// The display name of budget `budgetId` of org `orgId` (archived too), or null when the org has no such budget.
export async function budgetTitle(orgId: string, budgetId: string): Promise<string | null> {
  const { rows } = await pool().query<{ name: string | null; scope: string; scopeValue: string }>(
    `SELECT name, scope::text, "scopeValue" FROM "Budget" WHERE "orgId" = $1 AND id = $2`,
    [orgId, budgetId],
  );
  return rows[0] ? budgetDisplayName(pool(), orgId, rows[0]) : null;
}
