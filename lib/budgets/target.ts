// What a budget covers, as people read it: "Team platform", "Each task", "Whole organization", and
// the scope as the admin CLI writes it. The budgets page's read model (./overview.ts) labels every
// budget with this.

export type TBudgetScope = "ORG" | "TEAM" | "COST_CENTER" | "KEY" | "AGENT" | "USER" | "MODEL" | "TASK" | "EXECUTION";

export type TBudgetTarget = {
  scope: TBudgetScope;
  // What is stored: a team / cost-center / key id, a name, "*" or one task / execution id, "" for ORG.
  scopeValue: string;
  // How people read it: "Team platform", "Key br_AbCd1234", "Each task", "Whole organization".
  label: string;
  // The team's, cost center's or key's own name, when it has one.
  detail: string | null;
  // The team or cost center was archived, the key revoked, or the id names nothing (any more).
  note: "archived" | "revoked" | "missing" | null;
  // The scope as the admin CLI writes it: "team:platform", "key:br_AbCd1234", "task:*", "org".
  ref: string;
  // TASK / EXECUTION "*": each task / execution has the budget's amount on its own.
  perItem: boolean;
};

// A budget row with its target looked up by id (team slug, cost-center code, key prefix).
export type TTargetRow = { scope: TBudgetScope; scopeValue: string; targetSlug: string | null; targetName: string | null; targetGone: boolean | null };

export function isPerItem(scope: string, scopeValue: string): boolean {
  return (scope === "TASK" || scope === "EXECUTION") && scopeValue === "*";
}

const SCOPE_WORD: Record<TBudgetScope, string> = {
  ORG: "organization",
  TEAM: "team",
  COST_CENTER: "cost center",
  KEY: "key",
  AGENT: "agent",
  USER: "user",
  MODEL: "model",
  TASK: "task",
  EXECUTION: "execution",
};

export function targetOf(row: TTargetRow): TBudgetTarget {
  const { scope, scopeValue } = row;
  const word = SCOPE_WORD[scope];
  const cap = word[0].toUpperCase() + word.slice(1);
  const perItem = isPerItem(scope, scopeValue);
  if (scope === "ORG") return { scope, scopeValue, label: "Whole organization", detail: null, note: null, ref: "org", perItem };
  if (scope === "TEAM" || scope === "COST_CENTER" || scope === "KEY") {
    // Looked up by id: the slug / code / prefix people know it by.
    const known = row.targetSlug;
    const note = known === null ? "missing" : row.targetGone ? (scope === "KEY" ? "revoked" : "archived") : null;
    const shown = known ?? scopeValue;
    const refWord = scope === "COST_CENTER" ? "cost_center" : scope.toLowerCase();
    return { scope, scopeValue, label: `${cap} ${shown}`, detail: row.targetName, note, ref: `${refWord}:${shown}`, perItem };
  }
  if (perItem) return { scope, scopeValue, label: `Each ${word}`, detail: null, note: null, ref: `${word}:*`, perItem };
  return { scope, scopeValue, label: `${cap} ${scopeValue}`, detail: null, note: null, ref: `${word}:${scopeValue}`, perItem };
}

// What alerts call an unnamed budget (lib/budgets/names.ts defaultBudgetName takes the
// scope's value as people read it: a slug, a code, a prefix, a name, "*").
export function nameLabel(row: Pick<TTargetRow, "scopeValue" | "targetSlug">, target: TBudgetTarget): string {
  if (target.scope === "TEAM" || target.scope === "COST_CENTER" || target.scope === "KEY") return row.targetSlug ?? row.scopeValue;
  return row.scopeValue;
}

