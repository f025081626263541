import Link from "next/link";
import { shortDateTime } from "@/components/ui/format";
import { Usd } from "@/components/ui/usd";
import type { TExecutionListRow, TExecutionSort } from "@/lib/executions/list";
import { StateBadge } from "./state-badge";
import { formatDuration, integer } from "./format";

export type TSortLinks = Record<TExecutionSort, { href: string; active: boolean; dir: "asc" | "desc" }>;
type TFilterHref = (key: "agent" | "task" | "team" | "user" | "repository", value: string) => string;

const FOCUS = "rounded-sm focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500";

// A column header that sorts: real links (keyboard, middle-click, shareable), aria-sort for readers.
// Two related sorts may share a column (retries and their cost; start and last call), one per line.
function SortHeader({ sorts, align = "left" }: { sorts: { label: string; link: TSortLinks[TExecutionSort]; title?: string }[]; align?: "left" | "right" }) {
  const active = sorts.find((s) => s.link.active)?.link;
  return (
    <th scope="col" aria-sort={active ? (active.dir === "desc" ? "descending" : "ascending") : undefined} className={`px-3 py-2 font-medium ${align === "right" ? "text-right" : "text-left"}`}>
      {sorts.map(({ label, link, title }) => (
        <Link key={label} href={link.href} title={title ?? `Sort by ${label.toLowerCase()}`} className={`${FOCUS} flex items-center gap-1 whitespace-nowrap hover:text-slate-900 dark:hover:text-white ${align === "right" ? "justify-end" : ""} ${link.active ? "text-slate-900 dark:text-white" : ""}`}>
          {label}
          <span aria-hidden className="w-2 text-[10px]">{link.active ? (link.dir === "desc" ? "▼" : "▲") : ""}</span>
        </Link>
      ))}
    </th>
  );
}

export function ExecutionTable({ orgSlug, rows, timezone, sortLinks, filterHref }: { orgSlug: string; rows: TExecutionListRow[]; timezone: string; sortLinks: TSortLinks; filterHref: TFilterHref }) {
  const filterLink = (key: Parameters<TFilterHref>[0], value: string | null, className = "") =>
    value ? (
      <Link href={filterHref(key, value)} title={`Show only ${key} “${value}”`} className={`${FOCUS} hover:underline ${className}`}>
        {value}
      </Link>
    ) : (
      <span className="text-slate-400 dark:text-slate-500">—</span>
    );
  return (
    <table className="w-full text-sm" data-testid="executions-table">
      <thead>
        <tr className="text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
          <th scope="col" className="px-3 py-2 text-left font-medium">Execution</th>
          <th scope="col" className="px-3 py-2 text-left font-medium">Agent · task</th>
          <th scope="col" className="px-3 py-2 text-left font-medium">Team · user</th>
          <SortHeader sorts={[{ label: "Cost", link: sortLinks.cost }]} align="right" />
          <SortHeader sorts={[{ label: "Calls", link: sortLinks.calls }]} align="right" />
          <SortHeader
            align="right"
            sorts={[
              { label: "Retries", link: sortLinks.retries, title: "Sort by retries (calls with attempt > 1)" },
              { label: "Retry cost", link: sortLinks.retry_cost, title: "Sort by what attempts after the first cost" },
            ]}
          />
          <SortHeader sorts={[{ label: "Duration", link: sortLinks.duration, title: "Sort by duration (first call to last call)" }]} align="right" />
          <SortHeader sorts={[{ label: "Started", link: sortLinks.first_seen }, { label: "Last call", link: sortLinks.last_seen }]} />
        </tr>
      </thead>
      <tbody>
        {rows.map((ex) => (
          <tr key={ex.id} className="border-t border-slate-100 align-top hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-800/50">
            <td className="min-w-[12rem] max-w-[16rem] px-3 py-2">
              <Link href={`/${orgSlug}/executions/${encodeURIComponent(ex.id)}`} className={`${FOCUS} block break-words font-mono text-xs font-medium text-sky-700 hover:underline dark:text-sky-400`}>
                {ex.id}
              </Link>
              <div className="mt-1 flex items-center gap-2">
                <StateBadge state={ex.status} />
                {/* On a phone the cost column is off to the right: the cost rides with the id. */}
                <span className="text-sm font-semibold tabular-nums sm:hidden"><Usd value={ex.cost_usd} /></span>
              </div>
            </td>
            <td className="min-w-[10rem] max-w-[18rem] px-3 py-2">
              <div className="font-medium">{filterLink("agent", ex.agent)}</div>
              {ex.task && <div className="truncate text-xs text-slate-500 dark:text-slate-400" title={ex.task}>{filterLink("task", ex.task)}</div>}
            </td>
            <td className="px-3 py-2 text-slate-600 dark:text-slate-300">
              <div>{filterLink("team", ex.team)}</div>
              {ex.user && <div className="text-xs text-slate-500 dark:text-slate-400">{filterLink("user", ex.user)}</div>}
            </td>
            <td className="px-3 py-2 text-right font-semibold tabular-nums"><Usd value={ex.cost_usd} /></td>
            <td className="px-3 py-2 text-right tabular-nums">{integer(ex.calls)}</td>
            <td className={`whitespace-nowrap px-3 py-2 text-right tabular-nums ${ex.retries > 0 ? "text-amber-700 dark:text-amber-400" : "text-slate-500 dark:text-slate-400"}`}>
              <div className={ex.retries > 0 ? "font-semibold" : ""}>{integer(ex.retries)}</div>
              <div className="text-xs"><Usd value={ex.retry_cost_usd} /></div>
            </td>
            <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{formatDuration(ex.duration_ms)}</td>
            <td className="whitespace-nowrap px-3 py-2 text-slate-600 dark:text-slate-300">
              <div>{shortDateTime(ex.first_seen_at, timezone)}</div>
              <div className="text-xs text-slate-500 dark:text-slate-400">{shortDateTime(ex.last_seen_at, timezone)}</div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
