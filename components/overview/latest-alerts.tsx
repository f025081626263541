import Link from "next/link";
import { shortDateTime } from "@/components/ui/format";
import { Usd } from "@/components/ui/usd";
import type { TLatestAlert } from "@/lib/reports/overview";

// The last budget alerts, newest first; the alerts page has the whole history and deliveries.
export function LatestAlerts({ alerts, orgSlug, timezone }: { alerts: TLatestAlert[]; orgSlug: string; timezone: string }) {
  if (alerts.length === 0) {
    return (
      <p className="px-3 py-6 text-sm text-slate-500 dark:text-slate-400">
        No budget alerts yet. <Link href={`/${orgSlug}/budgets`} className="underline hover:text-slate-900 dark:hover:text-white">Set a budget</Link> to be told at 50, 80 and 100 %.
      </p>
    );
  }
  return (
    <div>
      <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="latest-alerts">
        {alerts.map((a) => (
          <li key={a.id} className="px-3 py-2.5 text-sm" data-testid="latest-alert">
            <div className="flex items-baseline justify-between gap-3">
              <span className="font-medium text-slate-900 dark:text-slate-100">{a.budgetName}</span>
              <span className="whitespace-nowrap text-xs text-slate-500 dark:text-slate-400">{shortDateTime(a.createdAt, timezone)}</span>
            </div>
            <div className="mt-0.5 text-slate-600 dark:text-slate-300">
              {a.kind === "forecast" ? (
                <span className="font-medium text-amber-700 dark:text-amber-400">Forecast to exceed</span>
              ) : (
                <span className={`font-medium ${a.threshold >= 100 ? "text-rose-700 dark:text-rose-400" : "text-amber-700 dark:text-amber-400"}`}>{a.threshold} % reached</span>
              )}{" "}
              · <Usd value={a.spentUsd} /> of <Usd value={a.limitUsd} /> · {a.scope}
              {a.item ? ` · ${a.item}` : ""}
            </div>
          </li>
        ))}
      </ul>
      <Link href={`/${orgSlug}/alerts`} className="block px-3 pt-2 text-xs text-slate-600 underline hover:text-slate-900 dark:text-slate-300 dark:hover:text-white">
        All alerts and their deliveries →
      </Link>
    </div>
  );
}
