import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { localDay, pageRange } from "@/lib/pricing/dates";
import { modelsInUse } from "@/lib/pricing/models-in-use";
import { count, plural } from "@/components/models/format";
import { ModelPricesTable } from "@/components/models/model-prices-table";
import { PriceForms } from "@/components/models/price-forms";
import { PriceOverridesTable } from "@/components/models/price-overrides-table";
import { UnpricedModels } from "@/components/models/unpriced-models";
import { Card } from "@/components/ui/card";
import { shortDate } from "@/components/ui/format";
import { Usd } from "@/components/ui/usd";
import { addModelPrice, repriceModel } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Models" };

type TSearch = { from?: string | string[]; to?: string | string[]; price?: string | string[]; reprice?: string | string[] };
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? null;

// Calendar arithmetic on "YYYY-MM-DD" days (no time zone involved: they are already the org's days).
function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export default async function ModelsPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<TSearch> }) {
  const { org: slug } = await params;
  const sp = await searchParams;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const mayManage = can(access.role, "pricing.manage");
  const range = await pageRange(org.timezone, { from: one(sp.from), to: one(sp.to) });
  const data = await modelsInUse({ orgId: org.id, timezone: org.timezone, from: range.from, to: range.to });
  const unpriced = data.models.filter((m) => m.unpricedCalls > 0);

  const today = localDay(new Date(), org.timezone);
  const monthStart = `${today.slice(0, 8)}01`;
  const lastMonthStart = `${addDays(monthStart, -1).slice(0, 8)}01`;
  const presets = [
    { label: "This month", from: monthStart, to: today },
    { label: "Last month", from: lastMonthStart, to: addDays(monthStart, -1) },
    { label: "Last 30 days", from: addDays(today, -29), to: today },
  ];
  const base = `/${slug}/models?from=${range.fromDay}&to=${range.toDay}`;
  const addPriceHref = (model: string) => `${base}&price=${encodeURIComponent(model)}#add-price`;
  const repriceHref = (model: string) => `${base}&reprice=${encodeURIComponent(model)}#reprice`;

  const priceModel = one(sp.price) ?? "";
  const seen = data.models.find((m) => m.model === priceModel);
  const defaults = {
    priceModel,
    // A new price for a model seen in the range starts at its first call, so one reprice covers them all.
    priceFrom: seen ? localDay(new Date(seen.firstSeen), org.timezone) : range.fromDay,
    repriceModel: one(sp.reprice) ?? priceModel,
    repriceFrom: range.fromDay,
    repriceTo: range.toDay,
  };
  // The days as chosen (already the org's days): formatted at noon UTC so no zone shifts them.
  const dayLabel = (day: string) => shortDate(`${day}T12:00:00Z`, "UTC");
  const rangeLabel = range.fromDay === range.toDay ? dayLabel(range.fromDay) : `${dayLabel(range.fromDay)} – ${dayLabel(range.toDay)}`;
  const linkClass =
    "rounded-md px-2.5 py-1 text-sm text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-orange-500 dark:text-slate-300 dark:hover:bg-slate-800";
  const dateClass =
    "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 focus:border-orange-500 focus:outline-none focus:ring-1 focus:ring-orange-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100";

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight">Models</h1>
        <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
          What each model your agents called costs per million tokens, where that price comes from — the bundled catalogue, or a price of your own — and what
          the calls cost. A cost a client reports with its call is used as sent.
        </p>
        <div className="flex flex-wrap items-end gap-x-4 gap-y-2">
          <form method="get" action={`/${slug}/models`} className="flex flex-wrap items-end gap-2" aria-label="Date range">
            <label className="text-xs text-slate-500 dark:text-slate-400">
              From
              <input type="date" name="from" defaultValue={range.fromDay} className={`${dateClass} mt-0.5 block`} data-testid="range-from" />
            </label>
            <label className="text-xs text-slate-500 dark:text-slate-400">
              To
              <input type="date" name="to" defaultValue={range.toDay} className={`${dateClass} mt-0.5 block`} data-testid="range-to" />
            </label>
            <button className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-white">
              Show
            </button>
          </form>
          {/* A group, not a second <nav>: the org's links are the page's one navigation landmark. */}
          <div role="group" className="flex flex-wrap gap-1" aria-label="Quick ranges">
            {presets.map((p) => {
              const active = p.from === range.fromDay && p.to === range.toDay;
              return (
                <Link
                  key={p.label}
                  href={`/${slug}/models?from=${p.from}&to=${p.to}`}
                  aria-current={active ? "true" : undefined}
                  className={`${linkClass} ${active ? "bg-slate-900 text-white hover:bg-slate-900 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-slate-100" : ""}`}
                >
                  {p.label}
                </Link>
              );
            })}
          </div>
        </div>
        {range.problem && (
          <p role="status" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300">
            {range.problem}
          </p>
        )}
        <p className="flex flex-wrap gap-x-3 gap-y-1 text-sm" data-testid="models-summary">
          <span className="font-medium text-slate-700 dark:text-slate-200">{rangeLabel}</span>
          <span className="text-slate-600 dark:text-slate-400">
            {plural(data.models.length, "model")} · {count(data.totalCalls)} calls · <Usd value={data.totalUsd} className="font-semibold text-slate-900 dark:text-slate-100" /> spent
          </span>
          {data.unpricedCalls > 0 ? (
            <span className="font-medium text-amber-800 dark:text-amber-300">{plural(data.unpricedCalls, "unpriced call")} counted at $0</span>
          ) : (
            data.totalCalls > 0 && <span className="text-emerald-700 dark:text-emerald-400">every call priced</span>
          )}
          <span className="text-slate-500 dark:text-slate-400">({org.timezone})</span>
        </p>
      </header>

      {unpriced.length > 0 && <UnpricedModels models={unpriced} timezone={org.timezone} mayManage={mayManage} addPriceHref={addPriceHref} repriceHref={repriceHref} />}

      <Card title="Prices in use">
        {data.models.length === 0 ? (
          <p className="px-3 py-6 text-sm text-slate-500 dark:text-slate-400" data-testid="models-empty">
            No calls in this range. Once your agents report calls (<span className="font-mono">POST /api/v1/events</span> with a model and its token usage — see
            the <Link href={`/${slug}/overview`} className="underline underline-offset-2">Overview</Link> for a ready request), each model shows here with its price
            and spend. Or pick a longer range above.
          </p>
        ) : (
          <ModelPricesTable
            models={data.models}
            timezone={org.timezone}
            totalUsd={data.totalUsd}
            totalCalls={data.totalCalls}
            noModel={data.noModel}
            repriceHref={(m) => (mayManage ? repriceHref(m) : null)}
          />
        )}
      </Card>

      <Card title={`Your prices (${data.overrides.length})`}>
        <PriceOverridesTable prices={data.overrides} timezone={org.timezone} mayManage={mayManage} />
      </Card>

      {mayManage ? (
        <PriceForms
          key={`${defaults.priceModel}|${defaults.repriceModel}|${range.fromDay}|${range.toDay}`}
          orgSlug={slug}
          timezone={org.timezone}
          models={data.models.map((m) => m.model)}
          defaults={defaults}
          addPrice={addModelPrice}
          reprice={repriceModel}
        />
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400" data-testid="models-read-only">
          Owners and admins add prices and reprice stored calls; your role ({access.role.toLowerCase()}) can see them.
        </p>
      )}
    </main>
  );
}
