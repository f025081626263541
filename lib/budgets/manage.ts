import { z } from "zod";
import { webhookUrlProblem } from "../alerts/webhook-target";
import { recordAudit } from "../audit/log";
import { prisma } from "../db";
import { invalid, notFound, zodDetails } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { Decimal } from "../money";
import { backfillCounters, lockOrgBudgets } from "./backfill";
import { evaluateBudget } from "./evaluate";

// Budgets are made, changed and archived here — by the budgets page, the admin CLI and tests alike.
// Every change runs under the org's budget lock (held exclusively: ingest writes wait a moment),
// re-derives what it affects from stored spend, and is audited in the same transaction. Thresholds
// reached because of the change (a budget created or lowered below its spend) alert at once.
//
// Why every event is counted exactly once when a budget is made (or its scope or period changed)
// while events stream in. An ingest statement takes the org's budget lock, shared, as its first
// step, and reads the budgets with the snapshot it started with. The change (1) inserts the budget
// and recounts its counters from the stored events under the lock held exclusively, and commits;
// (2) a moment later recounts them once more, again under the exclusive lock. A write that saw the
// budget counts its own events (before (2)'s recount they are in the sum it replaces, after it
// they are added to it). A write that did not see it — its snapshot predates (1)'s commit — either
// holds the shared lock when (2) asks for it, and (2) waits for it to commit and sums its events;
// or it would have to pause between taking its snapshot and taking the lock (its first step, a few
// microseconds) for longer than (2)'s delay. The lock adds no round trip to ingest.

export const BUDGET_SCOPES = ["ORG", "TEAM", "COST_CENTER", "KEY", "AGENT", "USER", "MODEL", "TASK", "EXECUTION"] as const;
export const BUDGET_PERIODS = ["DAY", "WEEK", "MONTH", "TOTAL"] as const;
export const MAX_BUDGET_USD = "1000000000";

const ZAmount = z
  .string()
  .trim()
  .regex(/^\d{1,10}(\.\d{1,6})?$/, { message: "must be a positive amount in USD, e.g. 250 or 19.99", abort: true })
  .refine((v) => /^\d{1,10}(\.\d{1,6})?$/.test(v) && new Decimal(v).gt(0), "must be more than 0");

// Each field's rules, without defaults: an update changes only the fields it names.
const FIELDS = {
  name: z.string().trim().max(100).transform((v) => v || null),
  amountUsd: ZAmount,
  period: z.enum(BUDGET_PERIODS),
  enforcement: z.enum(["ALERT", "BLOCK"]),
  thresholds: z
    .array(z.number().int().min(1, "at least 1 %").max(1000, "at most 1000 %"))
    .min(1, "at least one threshold")
    .max(20)
    .transform((ts) => [...new Set(ts)].sort((a, b) => a - b)),
  recipients: z.array(z.email("must be an email address").max(254)).max(50).transform((rs) => [...new Set(rs.map((r) => r.toLowerCase()))]),
  // The same rules as the org's default webhook (https to a public address in production).
  webhookUrl: z
    .string()
    .trim()
    .max(2048)
    .nullable()
    .transform((v) => v || null)
    .superRefine((v, ctx) => {
      const problem = v ? webhookUrlProblem(v) : null;
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  forecastAlerts: z.boolean(),
};

export const ZBudgetFields = z.object({
  name: FIELDS.name.optional().transform((v) => v ?? null),
  amountUsd: FIELDS.amountUsd,
  period: FIELDS.period,
  enforcement: FIELDS.enforcement.default("ALERT"),
  thresholds: FIELDS.thresholds.default([50, 80, 100]),
  recipients: FIELDS.recipients.default([]),
  webhookUrl: FIELDS.webhookUrl.optional().transform((v) => v ?? null),
  forecastAlerts: FIELDS.forecastAlerts.default(true),
});

// scopeValue is already resolved to what events carry: a team / cost center / key id, an agent or
// user name, a model id; "*" or one id for TASK / EXECUTION; "" for ORG.
export const ZBudgetInput = ZBudgetFields.extend({
  scope: z.enum(BUDGET_SCOPES),
  scopeValue: z.string().trim().max(256).default(""),
});

export type TBudgetInput = z.input<typeof ZBudgetInput>;

async function assertScopeValue(tx: Prisma.TransactionClient, orgId: string, scope: string, value: string): Promise<string> {
  const missing = (what: string) => invalid(`No such ${what}`, [{ path: "scopeValue", message: `is not a ${what} of this organization` }]);
  switch (scope) {
    case "ORG":
      return "";
    case "TEAM":
      if (!(await tx.team.findFirst({ where: { orgId, id: value, archivedAt: null } }))) throw missing("team");
      return value;
    case "COST_CENTER":
      if (!(await tx.costCenter.findFirst({ where: { orgId, id: value, archivedAt: null } }))) throw missing("cost center");
      return value;
    case "KEY":
      if (!(await tx.virtualKey.findFirst({ where: { orgId, id: value } }))) throw missing("key");
      return value;
    case "TASK":
    case "EXECUTION":
      return value || "*";
    default:
      if (!value) throw invalid(`A ${scope.toLowerCase()} budget needs a value`, [{ path: "scopeValue", message: "is required" }]);
      return value;
  }
}

export async function createBudget(orgId: string, actorId: string | null, input: TBudgetInput) {
  const budget = await prisma().$transaction((tx) => insertBudget(tx, orgId, actorId, input), { timeout: 120_000 });
  await settleNewBudget(orgId, budget.id);
  return budget;
}

// Step (1) of the protocol above, inside the caller's transaction (an approval makes a budget in the
// transaction that decides it). The caller must run settleNewBudget after its commit.
export async function insertBudget(tx: Prisma.TransactionClient, orgId: string, actorId: string | null, input: TBudgetInput) {
  const parsed = ZBudgetInput.safeParse(input);
  if (!parsed.success) throw invalid("Invalid budget", zodDetails(parsed.error));
  const data = parsed.data;
  await lockOrgBudgets(tx, orgId);
  const scopeValue = await assertScopeValue(tx, orgId, data.scope, data.scopeValue);
  const created = await tx.budget.create({
    data: { orgId, ...data, scopeValue, amountUsd: data.amountUsd, createdBy: actorId },
  });
  await backfillCounters(tx, orgId, created.id);
  await quietPerItemCrossings(tx, created);
  await recordAudit(tx, { orgId, actorId, action: "budget.created", targetType: "Budget", targetId: created.id, details: auditDetails(created) });
  return created;
}

// Step (2), then the level-triggered evaluation: after the transaction that inserted the budget committed.
export async function settleNewBudget(orgId: string, budgetId: string): Promise<void> {
  await recountAfterWritesInFlight(orgId, budgetId);
  await evaluateBudget(orgId, budgetId);
}

// Only what is named changes (no defaults here: a missing field keeps its value).
export const ZBudgetUpdate = z.object({
  name: FIELDS.name.optional(),
  amountUsd: FIELDS.amountUsd.optional(),
  period: FIELDS.period.optional(),
  enforcement: FIELDS.enforcement.optional(),
  thresholds: FIELDS.thresholds.optional(),
  recipients: FIELDS.recipients.optional(),
  webhookUrl: FIELDS.webhookUrl.optional(),
  forecastAlerts: FIELDS.forecastAlerts.optional(),
  scope: z.enum(BUDGET_SCOPES).optional(),
  scopeValue: z.string().trim().max(256).optional(),
});

export async function updateBudget(orgId: string, actorId: string | null, budgetId: string, input: z.input<typeof ZBudgetUpdate>) {
  const parsed = ZBudgetUpdate.safeParse(input);
  if (!parsed.success) throw invalid("Invalid budget", zodDetails(parsed.error));
  const change = parsed.data;
  let recount = false;
  const budget = await prisma().$transaction(
    async (tx) => {
      await lockOrgBudgets(tx, orgId);
      const before = await tx.budget.findFirst({ where: { orgId, id: budgetId, archivedAt: null } });
      if (!before) throw notFound("No such active budget.");
      const scope = change.scope ?? before.scope;
      const scopeValue = change.scope !== undefined || change.scopeValue !== undefined ? await assertScopeValue(tx, orgId, scope, change.scopeValue ?? before.scopeValue) : before.scopeValue;
      const amountUsd = change.amountUsd ?? before.amountUsd.toString();
      const raised = new Decimal(amountUsd).gt(before.amountUsd.toString());
      const updated = await tx.budget.update({
        where: { id: before.id },
        data: {
          ...change,
          scope,
          scopeValue,
          amountUsd,
          // Raising the amount re-arms the thresholds the spend no longer reaches (a new epoch).
          ...(raised ? { alertEpoch: { increment: 1 } } : {}),
        },
      });
      // What the budget counts changed: its counters start again from the stored spend.
      recount = scope !== before.scope || scopeValue !== before.scopeValue || updated.period !== before.period;
      if (recount) await backfillCounters(tx, orgId, before.id);
      if (raised) await carryReachedThresholds(tx, updated);
      await quietPerItemCrossings(tx, updated);
      await recordAudit(tx, {
        orgId,
        actorId,
        action: "budget.changed",
        targetType: "Budget",
        targetId: before.id,
        details: { before: auditDetails(before), after: auditDetails(updated) },
      });
      return updated;
    },
    { timeout: 120_000 },
  );
  if (recount) await recountAfterWritesInFlight(orgId, budget.id);
  await evaluateBudget(orgId, budget.id);
  return budget;
}

// Step (2) of the protocol above: longer than any write could pause between its snapshot and its
// lock, then the recount under the exclusive lock (which waits for the writes holding it shared).
const RECOUNT_DELAY_MS = 250;

async function recountAfterWritesInFlight(orgId: string, budgetId: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, RECOUNT_DELAY_MS));
  await prisma().$transaction(
    async (tx) => {
      await lockOrgBudgets(tx, orgId);
      const budget = await tx.budget.findFirst({ where: { orgId, id: budgetId } });
      if (!budget || budget.archivedAt) return;
      await backfillCounters(tx, orgId, budgetId);
      await quietPerItemCrossings(tx, budget);
    },
    { timeout: 120_000 },
  );
}

// In a new epoch, thresholds the spend still reaches at the new amount are recorded as passed (not
// sent): "raising a limit never re-sends a threshold already passed at the new percentage". The ones
// it no longer reaches may alert again when the spend gets there.
async function carryReachedThresholds(tx: Prisma.TransactionClient, budget: { id: string; orgId: string; alertEpoch: number; amountUsd: Prisma.Decimal }) {
  await tx.$executeRaw`
    INSERT INTO "BudgetAlert" (id, "orgId", "budgetId", "periodStart", "itemKey", threshold, kind, epoch, "spentUsd", "limitUsd", notified)
    SELECT gen_random_uuid()::text, a."orgId", a."budgetId", a."periodStart", a."itemKey", a.threshold, a.kind, ${budget.alertEpoch},
           c."spentUsd", ${budget.amountUsd}::numeric, false
      FROM "BudgetAlert" a
      JOIN "BudgetCounter" c ON c."orgId" = a."orgId" AND c."budgetId" = a."budgetId" AND c."periodStart" = a."periodStart" AND c."itemKey" = a."itemKey"
     WHERE a."orgId" = ${budget.orgId} AND a."budgetId" = ${budget.id} AND a.epoch = ${budget.alertEpoch - 1} AND a.kind = 'ACTUAL'
       AND c."spentUsd" * 100 >= ${budget.amountUsd}::numeric * a.threshold
    ON CONFLICT DO NOTHING`;
}

// An "each task / execution" budget made or changed over items already past its thresholds would mail
// each one at once (hundreds, on real data): those crossings are recorded as passed, shown on the
// alerts page, not sent. Items that cross from now on alert as usual.
async function quietPerItemCrossings(tx: Prisma.TransactionClient, budget: { id: string; orgId: string; scope: string; scopeValue: string; alertEpoch: number }) {
  if ((budget.scope !== "TASK" && budget.scope !== "EXECUTION") || budget.scopeValue !== "*") return;
  await tx.$executeRaw`
    INSERT INTO "BudgetAlert" (id, "orgId", "budgetId", "periodStart", "itemKey", threshold, kind, epoch, "spentUsd", "limitUsd", notified)
    SELECT gen_random_uuid()::text, c."orgId", c."budgetId", c."periodStart", c."itemKey", th, 'ACTUAL', b."alertEpoch", c."spentUsd", b."amountUsd", false
      FROM "BudgetCounter" c JOIN "Budget" b ON b.id = c."budgetId" CROSS JOIN LATERAL unnest(b.thresholds) AS th
     WHERE c."orgId" = ${budget.orgId} AND c."budgetId" = ${budget.id} AND c."spentUsd" * 100 >= b."amountUsd" * th
    ON CONFLICT DO NOTHING`;
}

export async function archiveBudget(orgId: string, actorId: string | null, budgetId: string) {
  await prisma().$transaction(async (tx) => {
    const { count } = await tx.budget.updateMany({ where: { orgId, id: budgetId, archivedAt: null }, data: { archivedAt: new Date() } });
    if (count !== 1) throw notFound("No such active budget.");
    await recordAudit(tx, { orgId, actorId, action: "budget.archived", targetType: "Budget", targetId: budgetId });
  });
}

function auditDetails(b: { name: string | null; scope: string; scopeValue: string; amountUsd: Prisma.Decimal | string; period: string; enforcement: string; thresholds: number[] }) {
  return { name: b.name, scope: b.scope, scopeValue: b.scopeValue, amountUsd: b.amountUsd.toString(), period: b.period, enforcement: b.enforcement, thresholds: b.thresholds };
}
