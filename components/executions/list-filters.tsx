import Link from "next/link";
import type { TListSearch } from "@/lib/executions/list";

const INPUT = "w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus-visible:outline focus-visible:outline-2 focus-visible:outline-orange-500 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100";
const LABEL = "block text-xs font-medium text-slate-600 dark:text-slate-400";

const RANGES: [TListSearch["range"], string][] = [
  ["today", "Today"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["month", "This month"],
  ["all", "All time"],
];
const STATES = ["running", "idle", "done", "failed", "blocked"] as const;

// A plain GET form: the filters live in the URL (shareable, back button, works without JavaScript).
export function ListFilters({ action, search, teams, costCenters, timezone }: {
  action: string;
  search: TListSearch;
  teams: { slug: string; name: string }[];
  costCenters: { code: string; name: string }[];
  timezone: string;
}) {
  return (
    <form method="get" action={action} aria-label="Filter executions" className="p-3">
      {search.sort !== "cost" && <input type="hidden" name="sort" value={search.sort} />}
      {search.dir !== "desc" && <input type="hidden" name="dir" value={search.dir} />}
      {/* The filters a lead reaches for first on one row; the rest one click away (open when in use). */}
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <div>
          <label className={LABEL} htmlFor="f-range">Range ({timezone})</label>
          <select id="f-range" name="range" defaultValue={search.range} className={INPUT}>
            {RANGES.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
          </select>
        </div>
        <div>
          <label className={LABEL} htmlFor="f-state">State</label>
          <select id="f-state" name="state" defaultValue={search.state ?? ""} className={INPUT}>
            <option value="">Any state</option>
            {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
        <div>
          <label className={LABEL} htmlFor="f-agent">Agent</label>
          <input id="f-agent" name="agent" defaultValue={search.agent} placeholder="exact name" className={INPUT} />
        </div>
        <div>
          <label className={LABEL} htmlFor="f-team">Team</label>
          <select id="f-team" name="team" defaultValue={search.team ?? ""} className={INPUT}>
            <option value="">Any team</option>
            {teams.map((t) => <option key={t.slug} value={t.slug}>{t.name}</option>)}
          </select>
        </div>
        <div>
          <label className={LABEL} htmlFor="f-cc" title="An execution's cost center is its team's">Cost center (team&apos;s)</label>
          <select id="f-cc" name="cost_center" defaultValue={search.cost_center ?? ""} className={INPUT}>
            <option value="">Any cost center</option>
            {costCenters.map((c) => <option key={c.code} value={c.code}>{c.code} · {c.name}</option>)}
          </select>
        </div>
        <div className="flex items-end gap-2">
          <button type="submit" className="rounded-md bg-slate-900 px-4 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-white">
            Apply
          </button>
          <Link href={action} className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-orange-500 dark:text-slate-300 dark:hover:bg-slate-800">
            Reset
          </Link>
        </div>
      </div>
      <details className="mt-2" open={Boolean(search.from || search.to || search.task || search.user || search.repository)}>
        <summary className="cursor-pointer select-none rounded text-xs font-medium text-slate-600 focus-visible:outline focus-visible:outline-2 focus-visible:outline-orange-500 dark:text-slate-300">
          More filters: dates, task, user, repository
        </summary>
        <div className="mt-2 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
          <div>
            <label className={LABEL} htmlFor="f-from">From (overrides range)</label>
            <input id="f-from" name="from" type="date" defaultValue={search.from} className={INPUT} />
          </div>
          <div>
            <label className={LABEL} htmlFor="f-to">To (inclusive)</label>
            <input id="f-to" name="to" type="date" defaultValue={search.to} className={INPUT} />
          </div>
          <div>
            <label className={LABEL} htmlFor="f-task">Task</label>
            <input id="f-task" name="task" defaultValue={search.task} placeholder="exact task" className={INPUT} />
          </div>
          <div>
            <label className={LABEL} htmlFor="f-user">User</label>
            <input id="f-user" name="user" defaultValue={search.user} placeholder="e.g. ann@acme.dev" className={INPUT} />
          </div>
          <div>
            <label className={LABEL} htmlFor="f-repo">Repository</label>
            <input id="f-repo" name="repository" defaultValue={search.repository} placeholder="e.g. acme/api" className={INPUT} />
          </div>
        </div>
      </details>
    </form>
  );
}

// The filters in force, each with a link that removes it.
export function ActiveFilters({ chips }: { chips: { label: string; value: string; removeHref: string }[] }) {
  if (!chips.length) return null;
  return (
    <ul className="flex flex-wrap gap-2 px-3 pb-3 text-xs" aria-label="Filters in force">
      {chips.map((c) => (
        <li key={c.label} className="inline-flex max-w-full items-center gap-1 rounded-full bg-slate-100 py-0.5 pl-2.5 pr-1 text-slate-700 dark:bg-slate-800 dark:text-slate-200">
          <span className="truncate"><span className="text-slate-500 dark:text-slate-400">{c.label}:</span> {c.value}</span>
          <Link href={c.removeHref} aria-label={`Remove filter ${c.label}`} className="rounded-full px-1.5 hover:bg-slate-200 focus-visible:outline focus-visible:outline-2 focus-visible:outline-orange-500 dark:hover:bg-slate-700">×</Link>
        </li>
      ))}
    </ul>
  );
}
