import Link from "next/link";
import type { ReactNode } from "react";
import type { TBudgetAlertEntry, TBudgetOverview } from "@/lib/budgets/overview";
import { displayUsd } from "@/lib/money";
import { shortDateTime } from "@/components/ui/format";
import { Usd } from "@/components/ui/usd";
import { BudgetBar } from "./budget-bar";
import { dateTimeIn, percentLabel, periodDays, PERIOD_NOUN, PERIOD_WORD, plural, STATE_STYLE } from "./format";

// One budget as a lead reads it at a glance: spent of limit, a bar in the state's colour, the burn
// rate and where it ends up, calls nothing priced, who hears of it, and what it has said so far.
// Server-rendered; the edit and archive controls (owners and admins) come in as `manage`.
export function BudgetCard({ budget: b, timezone, orgSlug, highlighted, manage }: { budget: TBudgetOverview; timezone: string; orgSlug: string; highlighted: boolean; manage?: ReactNode }) {
  const style = STATE_STYLE[b.state];
  const itemWord = b.target.scope === "TASK" ? "task" : "execution";
  const shownSpent = b.items ? (b.items.top[0]?.spentUsd ?? "0.00") : b.spentUsd;
  // An approval (or a resume) may have raised the fullest item's own limit.
  const fullestLimit = b.items?.top[0]?.limitUsd ?? b.amountUsd;
  return (
    <article
      id={`budget-${b.id}`}
      data-testid="budget-card"
      data-budget-id={b.id}
      data-state={b.state}
      data-highlighted={highlighted ? "true" : undefined}
      aria-label={`Budget ${b.name}`}
      className={`scroll-mt-4 rounded-lg border bg-white shadow-sm ${highlighted ? "border-orange-400 ring-2 ring-orange-300" : b.state === "exceeded" ? "border-rose-200" : "border-slate-200"}`}
    >
      <div className="space-y-4 p-4 sm:p-5">
        <header className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
          <div className="min-w-0">
            <h2 className="break-words text-base font-semibold text-slate-900" data-testid="budget-name">{b.name}</h2>
            <p className="break-words text-sm text-slate-600">
              {b.target.label}
              {b.target.detail && <span className="text-slate-500"> · {b.target.detail}</span>}
              {b.target.note && <span className="ml-1 rounded bg-slate-100 px-1 text-xs text-slate-600">{b.target.note === "missing" ? "no longer exists" : b.target.note}</span>}
              <span className="text-slate-500"> · {PERIOD_WORD[b.period]}{b.target.perItem ? `, each ${itemWord} on its own` : ""}</span>
            </p>
          </div>
          <div className="flex flex-wrap items-center gap-2">
            {b.enforcement === "BLOCK" && (
              <span
                data-testid="budget-block"
                className={`rounded px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${b.state === "exceeded" ? "bg-rose-700 text-white ring-rose-800" : "bg-white text-rose-700 ring-rose-300"}`}
                title="New work is refused (GET /api/v1/budget says allowed: false) once this budget reaches 100%"
              >
                {b.state === "exceeded" ? "Blocking new work" : "Blocks at 100%"}
              </span>
            )}
            <span data-testid="budget-state" className={`rounded px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${style.badge}`}>{style.label}</span>
          </div>
        </header>

        <div className="space-y-2">
          <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
            <p className="text-sm text-slate-500">
              {b.items && <span className="mr-1">Fullest {itemWord}:</span>}
              <span data-testid="budget-spent">
                <Usd value={shownSpent} className="text-2xl font-semibold tabular-nums text-slate-900" />
              </span>{" "}
              of <Usd value={fullestLimit} className="font-medium text-slate-700" />
              {b.items ? (fullestLimit !== b.amountUsd ? ` (its raised limit; ${displayUsd(b.amountUsd)} each)` : ` each`) : ""} this {PERIOD_NOUN[b.period]}
            </p>
            <p className={`text-2xl font-semibold tabular-nums ${style.text}`} data-testid="budget-percent">{percentLabel(b.percent)}</p>
          </div>
          <BudgetBar percent={b.percent} state={b.state} thresholds={b.thresholds} projectedPercent={b.projection?.percent ?? null} label={`${b.name}: spent of limit`} />
        </div>

        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Burn rate{b.items ? ` (all ${itemWord}s)` : ""}</dt>
            <dd className="tabular-nums text-slate-900" data-testid="budget-burn">
              {b.burnUsdPerDay ? (
                <>
                  <Usd value={b.burnUsdPerDay} /> a day
                </>
              ) : (
                <span className="text-slate-500">—</span>
              )}
            </dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Projected at period end</dt>
            <dd data-testid="budget-projection" data-over={b.projection?.over ? "true" : undefined}>
              {b.projection ? (
                <span className={b.projection.over ? "font-medium text-rose-700 underline decoration-rose-400 decoration-dashed underline-offset-4" : "text-slate-900"}>
                  <Usd value={b.projection.projectedUsd} className="tabular-nums" /> ({percentLabel(b.projection.percent)})
                  {b.projection.over && (b.projection.breachAt ? <> — passes the limit around {dateTimeIn(b.projection.breachAt, timezone)}</> : <> — over the limit</>)}
                </span>
              ) : (
                <span className="text-slate-500">
                  {b.projectionNote === "too_early"
                    ? `Too early to say — after ${b.period === "MONTH" ? "3 days of the month" : `a quarter of the ${PERIOD_NOUN[b.period]}`}`
                    : b.projectionNote === "per_item"
                      ? `Each ${itemWord} has its own limit`
                      : "A total budget has no period end"}
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Period</dt>
            <dd className="text-slate-900" data-testid="budget-period">
              {b.periodEnd ? (
                <>
                  {periodDays(b.periodStart, b.periodEnd, timezone)}
                  <span className="block text-xs text-slate-500">ends {dateTimeIn(b.periodEnd, timezone)} ({timezone})</span>
                </>
              ) : (
                <>
                  All time
                  <span className="block text-xs text-slate-500">a total budget never resets</span>
                </>
              )}
            </dd>
          </div>
        </dl>

        {b.unpricedCalls > 0 && (
          <p data-testid="budget-unpriced" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            <span className="font-semibold">{plural(b.unpricedCalls, "unpriced call")} counted at $0</span> this {PERIOD_NOUN[b.period]} — their model has no
            price, so this budget undercounts them. A price override for the model makes them count.
          </p>
        )}

        {b.items && <PerItem budget={b} itemWord={itemWord} />}

        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Alerts at</dt>
            <dd className="tabular-nums text-slate-900">
              {b.thresholds.map((t) => `${t}%`).join(" · ")}
              {b.period !== "TOTAL" && <span className="block text-xs text-slate-500">forecast alert {b.forecastAlerts ? "on" : "off"}</span>}
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Emails to</dt>
            <dd className="break-words text-slate-900" data-testid="budget-recipients">
              {b.recipients.explicit.length ? (
                b.recipients.explicit.join(", ")
              ) : (
                <>
                  Owners and admins{b.target.scope === "COST_CENTER" ? " (and the cost center's owner)" : ""}
                  <span className="block text-xs text-slate-500">{b.recipients.defaults.length ? b.recipients.defaults.join(", ") : "none with an email yet"}</span>
                </>
              )}
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Webhook</dt>
            <dd className="break-all text-slate-900">
              {b.webhook ? (
                <>
                  <span className="font-mono text-xs">{b.webhook.shown}</span>
                  <span className="block text-xs text-slate-500">{b.webhook.source === "org" ? "the organization's default" : "this budget's own"}</span>
                </>
              ) : (
                <span className="text-slate-500">None</span>
              )}
            </dd>
          </div>
        </dl>

        <AlertHistory budget={b} timezone={timezone} orgSlug={orgSlug} itemWord={itemWord} />
      </div>
      {manage && <footer className="border-t border-slate-100 px-4 py-3 sm:px-5">{manage}</footer>}
    </article>
  );
}

function PerItem({ budget: b, itemWord }: { budget: TBudgetOverview; itemWord: string }) {
  const items = b.items!;
  return (
    <div className="space-y-2" data-testid="budget-items">
      <p className="text-sm text-slate-700">
        {items.withCalls === 0 ? (
          `No ${itemWord} has spent this ${PERIOD_NOUN[b.period]} yet.`
        ) : (
          <>
            {plural(items.withCalls, itemWord)} this {PERIOD_NOUN[b.period]},{" "}
            <span className={items.over ? "font-semibold text-rose-700" : ""}>{items.over} over the limit</span> · <Usd value={b.spentUsd} /> in all
          </>
        )}
      </p>
      {items.top.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead>
              <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
                <th className="py-1 pr-3 font-medium">Top {itemWord}s</th>
                <th className="py-1 pr-3 text-right font-medium">Spent</th>
                <th className="w-1/3 py-1 font-medium">
                  <span className="sr-only">Of the limit</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.top.map((i) => (
                <tr key={i.item} className="border-t border-slate-100" data-testid="budget-item">
                  <td className="max-w-[14rem] truncate py-1 pr-3 font-mono text-xs" title={i.item}>{i.item}</td>
                  <td className="whitespace-nowrap py-1 pr-3 text-right tabular-nums">
                    <Usd value={i.spentUsd} /> <span className={`text-xs ${STATE_STYLE[i.state].text}`}>{percentLabel(i.percent)}</span>
                    {i.limitUsd !== b.amountUsd && <span className="ml-1 text-xs text-slate-500" data-testid="budget-item-limit">of {displayUsd(i.limitUsd)}</span>}
                  </td>
                  <td className="py-1">
                    <div className="h-1.5 w-full min-w-16 overflow-hidden rounded-full bg-slate-100">
                      <div className={`h-full rounded-full ${STATE_STYLE[i.state].bar}`} style={{ width: `${Math.min(i.percent, 100)}%` }} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function alertLine(a: TBudgetAlertEntry, itemWord: string, timezone: string): string {
  const about = a.item ? ` · ${itemWord} ${a.item}` : "";
  if (a.kind === "FORECAST") return `Forecast: past the limit${a.projectedAt ? ` around ${shortDateTime(a.projectedAt, timezone)}` : ""} at ${displayUsd(a.spentUsd)} so far${about}`;
  return `${a.threshold}% reached — ${displayUsd(a.spentUsd)} of ${displayUsd(a.limitUsd)}${about}`;
}

function AlertHistory({ budget: b, timezone, orgSlug, itemWord }: { budget: TBudgetOverview; timezone: string; orgSlug: string; itemWord: string }) {
  const { recent, sentThisPeriod } = b.alerts;
  return (
    <section className="space-y-1" data-testid="budget-alerts">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">
          Recent alerts <span className="normal-case tracking-normal">· {`${sentThisPeriod} sent`} this {PERIOD_NOUN[b.period]}</span>
        </h3>
        <Link href={`/${orgSlug}/alerts?budget=${encodeURIComponent(b.id)}`} prefetch={false} className="text-xs text-orange-700 hover:underline">
          All its alerts and their deliveries →
        </Link>
      </div>
      {recent.length === 0 ? (
        <p className="text-sm text-slate-500">None yet.</p>
      ) : (
        <ul className="space-y-0.5 text-sm">
          {recent.map((a) => (
            <li key={a.id} data-testid="budget-alert" data-threshold={a.threshold} data-kind={a.kind} className={`flex flex-wrap gap-x-2 ${a.notified ? "text-slate-800" : "text-slate-400"}`}>
              <time dateTime={a.createdAt} className="tabular-nums text-slate-500">{shortDateTime(a.createdAt, timezone)}</time>
              <span>{alertLine(a, itemWord, timezone)}</span>
              <span
                className={`text-xs ${a.notified ? "text-emerald-700" : ""}`}
                title={a.notified ? "Sent to the budget's recipients and webhook" : "Passed in the same jump as a higher threshold, or already passed when the limit was raised: recorded, no message of its own"}
              >
                {a.notified ? "· sent" : "· recorded, not sent"}
              </span>
              {a.periodStart !== b.periodStart && b.period !== "TOTAL" && <span className="text-xs text-slate-400">· an earlier {PERIOD_NOUN[b.period]}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
