import Link from "next/link";
import { shortDateTime } from "@/components/ui/format";
import { Usd } from "@/components/ui/usd";
import type { TTopExecution } from "@/lib/reports/top-executions";

// The state comes from lib/executions/state.ts, the same definition the API uses.
const STATUS_STYLE: Record<TTopExecution["status"], string> = {
  running: "bg-sky-50 text-sky-700 dark:bg-sky-950 dark:text-sky-300",
  idle: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
  done: "bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300",
  failed: "bg-rose-50 text-rose-700 dark:bg-rose-950 dark:text-rose-300",
  blocked: "bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
};

export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

export function TopExecutions({ executions, orgSlug, timezone, outlierFactor, windowDays, baselineExecutions }: {
  executions: TTopExecution[];
  orgSlug: string;
  timezone: string;
  outlierFactor: number;
  windowDays: number;
  baselineExecutions: number;
}) {
  if (executions.length === 0) return <p className="px-3 py-6 text-sm text-slate-500 dark:text-slate-400">No executions in this range. Calls that name an <code>execution_id</code> are grouped into executions.</p>;
  return (
    <>
      <table className="w-full min-w-[46rem] text-sm" data-testid="top-executions">
        <thead>
          <tr className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
            <th className="px-3 py-2 font-medium">Execution</th>
            <th className="px-3 py-2 text-right font-medium">Cost</th>
            <th className="px-3 py-2 font-medium">Agent · task</th>
            <th className="px-3 py-2 text-right font-medium">Calls</th>
            <th className="px-3 py-2 text-right font-medium">Retries (cost)</th>
            <th className="px-3 py-2 text-right font-medium">Duration</th>
            <th className="px-3 py-2 font-medium">Last call</th>
          </tr>
        </thead>
        <tbody>
          {executions.map((ex) => (
            <tr
              key={ex.id}
              className={`border-t align-top ${ex.outlier ? "border-rose-200 bg-rose-50/60 dark:border-rose-900 dark:bg-rose-950/40" : "border-slate-100 dark:border-slate-800"}`}
              data-testid="top-execution"
              data-execution-id={ex.id}
              data-outlier={ex.outlier ? "true" : "false"}
            >
              <td className="px-3 py-2">
                {/* Not prefetched: ten detail pages on every 10-second refresh would be wasted work. */}
                <Link
                  href={`/${orgSlug}/executions/${encodeURIComponent(ex.id)}`}
                  prefetch={false}
                  className="whitespace-nowrap font-mono text-xs text-slate-900 underline decoration-slate-300 underline-offset-2 hover:decoration-slate-900 focus-visible:outline-2 focus-visible:outline-orange-500 dark:text-slate-100 dark:decoration-slate-600"
                >
                  {ex.id}
                </Link>
                <div className="mt-1 flex flex-wrap gap-1">
                  <span className={`inline-block rounded px-1.5 py-0.5 text-[11px] font-medium ${STATUS_STYLE[ex.status] ?? ""}`}>{ex.status}</span>
                  {ex.outlier ? (
                    <span
                      className="inline-block whitespace-nowrap rounded bg-rose-600 px-1.5 py-0.5 text-[11px] font-semibold text-white"
                      data-testid="outlier-mark"
                      title={`Cost more than ${outlierFactor}× the median of ${ex.agent ?? "its agent"}'s last ${baselineExecutions} finished executions in ${windowDays} days (median ${ex.agentMedianUsd ? `$${ex.agentMedianUsd}` : "—"})`}
                    >
                      ▲ outlier · {ex.timesMedian}× median
                    </span>
                  ) : null}
                </div>
              </td>
              <td className="px-3 py-2 text-right font-semibold tabular-nums" data-testid="execution-cost" data-usd={ex.cost_usd}>
                <Usd value={ex.cost_usd} />
              </td>
              <td className="px-3 py-2">
                <div className="font-medium">{ex.agent ?? "—"}</div>
                <div className="max-w-[18rem] truncate text-xs text-slate-500 dark:text-slate-400" title={ex.task ?? ""}>{ex.task ?? ""}</div>
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{ex.calls.toLocaleString("en-US")}</td>
              <td className="px-3 py-2 text-right tabular-nums">
                {ex.retries > 0 ? (
                  <span className="text-amber-700 dark:text-amber-400">
                    {ex.retries} (<Usd value={ex.retry_cost_usd} />)
                  </span>
                ) : (
                  "0"
                )}
              </td>
              <td className="px-3 py-2 text-right tabular-nums text-slate-600 dark:text-slate-300">{duration(ex.durationMs)}</td>
              <td className="whitespace-nowrap px-3 py-2 text-slate-600 dark:text-slate-300">{shortDateTime(ex.last_seen_at, timezone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="px-3 pt-2 text-xs text-slate-500 dark:text-slate-400">
        <span className="font-semibold text-rose-600 dark:text-rose-400">▲ outlier</span>: cost more than {outlierFactor}× the median of the same agent&apos;s last {baselineExecutions} finished executions (within {windowDays} days).
      </p>
    </>
  );
}
