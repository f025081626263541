import type { Metadata } from "next";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { budgetFormOptions, budgetsOverview, type TBudgetOverview } from "@/lib/budgets/overview";
import { ArchivedBudgets } from "@/components/budgets/archived-budgets";
import { BudgetCard } from "@/components/budgets/budget-card";
import type { TBudgetFormValues } from "@/components/budgets/budget-form";
import { BudgetCreate, BudgetManage } from "@/components/budgets/budget-manage";
import { plural } from "@/components/budgets/format";
import { ScrollIntoView } from "@/components/budgets/scroll-into-view";
import { Card } from "@/components/ui/card";
import { archiveBudget, createBudget, updateBudget } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Budgets" };

// The edit form's starting values: the budget as stored (its own webhook only, not the org's).
function formValues(b: TBudgetOverview): TBudgetFormValues {
  return {
    name: b.customName ?? "",
    scope: b.target.scope,
    scopeValue: b.target.scopeValue,
    scopeValueLabel: `${b.target.label}${b.target.note ? ` (${b.target.note})` : ""}`,
    amountUsd: b.amountUsd,
    period: b.period,
    enforcement: b.enforcement,
    thresholds: b.thresholds.join(", "),
    recipients: b.recipients.explicit.join(", "),
    webhookUrl: b.webhook?.source === "budget" ? b.webhook.url : "",
    forecastAlerts: b.forecastAlerts,
  };
}

export default async function BudgetsPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<{ budget?: string | string[] }> }) {
  const { org: slug } = await params;
  const raw = (await searchParams).budget;
  const highlight = (Array.isArray(raw) ? raw[0] : raw) ?? null;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const mayManage = can(access.role, "budget.manage");
  const [page, options] = await Promise.all([budgetsOverview(org.id), mayManage ? budgetFormOptions(org.id) : null]);
  const count = (state: string) => page.active.filter((b) => b.state === state).length;
  const unpriced = page.active.reduce((n, b) => n + b.unpricedCalls, 0);
  const highlighted = highlight ? (page.active.find((b) => b.id === highlight) ?? null) : null;
  const highlightedArchived = highlight && !highlighted ? (page.archived.find((b) => b.id === highlight) ?? null) : null;

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Budgets</h1>
        <p className="text-sm text-slate-500">
          Each budget counts the spend it covers in its current period ({org.timezone}), alerts once per period at each threshold — by email to its recipients
          and to its webhook — and, if it blocks, refuses new work at 100%.
        </p>
        {page.active.length > 0 && (
          <p className="flex flex-wrap gap-x-3 gap-y-1 text-sm" data-testid="budgets-summary">
            <span className="font-medium text-slate-700">{plural(page.active.length, "budget")}</span>
            {count("exceeded") > 0 && <span className="font-medium text-rose-700">{count("exceeded")} exceeded</span>}
            {count("warning") > 0 && <span className="font-medium text-amber-700">{count("warning")} at a warning</span>}
            {count("exceeded") + count("warning") === 0 && <span className="text-emerald-700">all within their thresholds</span>}
            {unpriced > 0 && <span className="text-amber-800">{plural(unpriced, "unpriced call")} counted at $0</span>}
          </p>
        )}
      </header>

      {highlight && !highlighted && (
        <p role="status" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
          {highlightedArchived ? `The budget “${highlightedArchived.name}” has been archived; it is listed under Archived below.` : "That budget does not exist in this organization."}
        </p>
      )}
      {highlighted && <ScrollIntoView id={`budget-${highlighted.id}`} />}

      {mayManage && options && <BudgetCreate orgSlug={slug} options={options} createBudget={createBudget} startOpen={page.active.length === 0} />}

      {page.active.length === 0 ? (
        <Card title="Budgets">
          <p className="px-3 py-6 text-sm text-slate-500">
            {mayManage
              ? "No budgets yet. Create one above: for the whole organization, a team, a cost center, a key, an agent, a model — or each task or execution on its own."
              : "No budgets yet. An owner or admin can create them; you will see each one's spend against its limit here."}
          </p>
        </Card>
      ) : (
        <div className="space-y-4" data-testid="budget-list">
          {page.active.map((b) => (
            <BudgetCard
              key={b.id}
              budget={b}
              timezone={page.timezone}
              orgSlug={slug}
              highlighted={b.id === highlight}
              manage={
                mayManage && options ? (
                  <BudgetManage
                    orgSlug={slug}
                    budgetId={b.id}
                    name={b.name}
                    initial={formValues(b)}
                    options={options}
                    updateBudget={updateBudget}
                    archiveBudget={archiveBudget}
                  />
                ) : undefined
              }
            />
          ))}
        </div>
      )}

      {page.archived.length > 0 && (
        <Card title={`Archived (${page.archived.length})`}>
          <ArchivedBudgets budgets={page.archived} timezone={page.timezone} highlight={highlightedArchived?.id ?? null} />
        </Card>
      )}
    </main>
  );
}
