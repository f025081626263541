import { z } from "zod";
import { webhookUrlProblem } from "../alerts/webhook-target";
import { prisma } from "../db";
import { invalid, notFound, zodDetails } from "../errors";
import { BUDGET_PERIODS, BUDGET_SCOPES, createBudget, updateBudget } from "./manage";

// Budgets as people and operators change them — the budgets page's form and the admin CLI: lists
// typed into one field ("50, 80, 100", "a@x.com, b@y.com"), the webhook held to the same rule as
// the org's default webhook (https, a public address: lib/alerts/webhook-target.ts), and a change
// that names only some fields leaves the others as they are. Then ./manage.ts does the rest.

// A list typed into one field (commas, semicolons or spaces between), or already a list.
const ZTextList = z
  .union([z.array(z.string().max(256)).max(100), z.string().max(20_000)])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,;]+/)).map((s) => s.trim()).filter(Boolean));

// "50, 80, 100" or "50%, 80%"; whole percents (their range is ./manage.ts's to check).
const ZThresholds = z.union([z.array(z.union([z.number(), z.string().max(16)])).max(100), z.string().max(1000)]).transform((v, ctx) => {
  const items = Array.isArray(v) ? v.map(String) : v.split(/[\s,;]+/).filter(Boolean);
  const out: number[] = [];
  for (const raw of items) {
    const t = raw.trim().replace(/%$/, "");
    if (!/^\d{1,4}$/.test(t)) {
      ctx.addIssue({ code: "custom", message: `“${raw}” is not a whole percent, e.g. 50, 80, 100` });
      return z.NEVER;
    }
    out.push(Number(t));
  }
  return out;
});

// No .default() here: a field left out of a change must stay as it is.
const ZFormFields = z.object({
  name: z.string().max(100),
  scope: z.enum(BUDGET_SCOPES),
  // What the scope's control gives: a team / cost-center / key id from a select, a name typed in,
  // "*" (each task / execution) or one id; ignored for ORG.
  scopeValue: z.string().trim().max(256),
  // "$1,250.50" reads as 1250.50. Checked here too: ./manage.ts's own check would hand a word like
  // "ten" to decimal.js after its pattern failed (zod runs both), which throws instead of answering.
  amountUsd: z
    .string()
    .max(32)
    .transform((v) => v.replace(/[\s$,]/g, ""))
    .pipe(z.string().regex(/^\d{1,10}(\.\d{1,6})?$/, "must be a positive amount in USD, e.g. 250 or 19.99")),
  period: z.enum(BUDGET_PERIODS),
  enforcement: z.enum(["ALERT", "BLOCK"]),
  thresholds: ZThresholds,
  // Empty: the org's owners and admins.
  recipients: ZTextList,
  // "" or null: none of its own (the org's default webhook, if any).
  webhookUrl: z.string().trim().max(2048).nullable(),
  forecastAlerts: z.boolean(),
});

export const ZBudgetCreateForm = ZFormFields.partial({ name: true, scopeValue: true, enforcement: true, thresholds: true, recipients: true, webhookUrl: true, forecastAlerts: true });
export type TBudgetCreateForm = z.input<typeof ZBudgetCreateForm>;

export const ZBudgetChange = ZFormFields.partial();
export type TBudgetChange = z.input<typeof ZBudgetChange>;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalid("Invalid budget", zodDetails(parsed.error));
  return parsed.data;
}

function assertWebhook(url: string) {
  const problem = webhookUrlProblem(url);
  if (problem) throw invalid(`The webhook URL ${problem}.`, [{ path: "webhookUrl", message: problem }]);
}

export async function createBudgetFromForm(orgId: string, actorId: string | null, input: TBudgetCreateForm) {
  const form = parse(ZBudgetCreateForm, input);
  const webhookUrl = form.webhookUrl || null;
  if (webhookUrl) assertWebhook(webhookUrl);
  return createBudget(orgId, actorId, { ...form, scopeValue: form.scope === "ORG" ? "" : (form.scopeValue ?? ""), webhookUrl });
}

// Changes the fields the change names and keeps the rest. (updateBudget's own schema would reset
// every field left out to its default — enforcement, thresholds, recipients, forecasts — so it is
// always given the whole budget.) Scope and value are passed only when they change: a budget whose
// team was archived can still have its amount changed.
export async function changeBudget(orgId: string, actorId: string | null, budgetId: string, input: TBudgetChange) {
  const change = parse(ZBudgetChange, input);
  const current = await prisma().budget.findFirst({ where: { orgId, id: budgetId, archivedAt: null } });
  if (!current) throw notFound("No such active budget.");
  const webhookUrl = change.webhookUrl === undefined ? current.webhookUrl : change.webhookUrl || null;
  if (webhookUrl && webhookUrl !== current.webhookUrl) assertWebhook(webhookUrl);
  const scope = change.scope ?? current.scope;
  const scopeValue = scope === "ORG" ? "" : (change.scopeValue ?? (scope === current.scope ? current.scopeValue : ""));
  const scopeChanged = scope !== current.scope || scopeValue !== current.scopeValue;
  return updateBudget(orgId, actorId, budgetId, {
    name: change.name ?? current.name ?? "",
    amountUsd: change.amountUsd ?? current.amountUsd.toFixed(),
    period: change.period ?? current.period,
    enforcement: change.enforcement ?? current.enforcement,
    thresholds: change.thresholds ?? current.thresholds,
    recipients: change.recipients ?? current.recipients,
    webhookUrl,
    forecastAlerts: change.forecastAlerts ?? current.forecastAlerts,
    ...(scopeChanged ? { scope, scopeValue } : {}),
  });
}
