import Link from "next/link";
import type { TAnomalyRow } from "@/lib/anomalies/list";
import { AnomalyList } from "./anomaly-list";

// The overview's first panel when something is running away: the open anomalies, blocked ones
// first, and the way to the anomalies page. Nothing at all when none is open.
export function OpenAnomaliesPanel({ rows, total, blocked, orgSlug, timezone }: { rows: TAnomalyRow[]; total: number; blocked: number; orgSlug: string; timezone: string }) {
  if (total === 0) return null;
  return (
    <section aria-labelledby="open-anomalies-title" className="rounded-lg border border-red-300 bg-white text-slate-900 shadow-sm dark:border-red-900 dark:bg-slate-900 dark:text-slate-100" data-testid="open-anomalies">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 border-b border-red-100 bg-red-50 px-4 py-2.5 dark:border-red-900 dark:bg-red-950/60 sm:px-5">
        <h2 id="open-anomalies-title" className="text-sm font-semibold text-red-800 dark:text-red-200">
          ⚠ {total} open {total === 1 ? "anomaly" : "anomalies"}
          {blocked ? <span className="font-normal"> · {blocked} {blocked === 1 ? "execution" : "executions"} blocked</span> : null}
        </h2>
        <Link href={`/${orgSlug}/anomalies?status=open`} className="text-xs font-medium text-red-800 underline dark:text-red-200">
          {total > rows.length ? `See all ${total}` : "Review"} on the anomalies page →
        </Link>
      </div>
      <AnomalyList rows={rows} orgSlug={orgSlug} timezone={timezone} actions={{}} compact />
    </section>
  );
}
