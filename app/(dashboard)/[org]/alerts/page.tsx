import type { Metadata } from "next";
import Link from "next/link";
import { decodeAlertCursor, decodeBudgetFilter, encodeAlertCursor, listAlerts } from "@/lib/alerts/history";
import { budgetTitle } from "@/lib/budgets/names";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { AlertList, type TAlertView } from "@/components/alerts/alert-list";
import { shortDateTime } from "@/components/ui/format";
import { Card } from "@/components/ui/card";
import { resendDelivery } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Alerts" };

const PAGE_SIZE = 50;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export default async function AlertsPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<{ before?: string | string[]; budget?: string | string[] }> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const search = await searchParams;
  const before = decodeAlertCursor(search.before);
  const budgetId = decodeBudgetFilter(search.budget);
  const budgetName = budgetId ? await budgetTitle(org.id, budgetId) : null;
  // A ?budget= this org has no budget for (another org's, a typo) lists nothing, and says so.
  const unknownBudget = search.budget !== undefined && budgetName === null;
  const { rows: alerts, next } = unknownBudget ? { rows: [], next: null } : await listAlerts(org.id, { limit: PAGE_SIZE, before, budgetId });
  const only = budgetName === null ? "" : `budget=${encodeURIComponent(budgetId!)}&`;
  const views: TAlertView[] = alerts.map((a) => ({
    ...a,
    createdAt: a.createdAt.toISOString(),
    projectedAt: iso(a.projectedAt),
    deliveries: a.deliveries.map((d) => ({ ...d, sentAt: iso(d.sentAt), nextAttemptAt: iso(d.nextAttemptAt) })),
  }));

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Alerts</h1>
        <p className="text-sm text-slate-500">
          Every budget alert, newest first, with each email and webhook it went to · times in {org.timezone}. A threshold alerts once per budget and
          period. Webhooks go to the budget&apos;s own URL or the <Link href={`/${slug}/settings`} className="text-orange-700 underline">default in settings</Link>.
          {unknownBudget && (
            <>
              {" "}<strong data-testid="alerts-budget-unknown">This organization has no such budget.</strong>{" "}
              <Link href={`/${slug}/alerts`} className="text-orange-700 underline">All alerts</Link>
            </>
          )}
          {budgetName !== null && (
            <>
              {" "}Showing the alerts of <strong data-testid="alerts-budget">{budgetName}</strong> ·{" "}
              <Link href={`/${slug}/alerts`} className="text-orange-700 underline">all budgets</Link>
            </>
          )}
          {before && (
            <>
              {" "}Showing alerts before {shortDateTime(before.createdAt.toISOString(), org.timezone)} ·{" "}
              <Link href={`/${slug}/alerts${only ? `?${only.slice(0, -1)}` : ""}`} className="text-orange-700 underline">back to newest</Link>
            </>
          )}
        </p>
      </header>
      <Card title={before ? "Older alerts" : "Latest alerts"}>
        <AlertList alerts={views} timezone={org.timezone} orgSlug={slug} mayResend={can(access.role, "alerts.manage")} resend={resendDelivery} />
        {next && (
          <div className="border-t border-slate-100 px-3 py-3 text-sm">
            <Link href={`/${slug}/alerts?${only}before=${encodeURIComponent(encodeAlertCursor(next))}`} className="text-orange-700 underline" data-testid="alerts-older">
              Older alerts →
            </Link>
          </div>
        )}
      </Card>
    </main>
  );
}
