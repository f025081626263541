import { shortDateTime } from "@/components/ui/format";
import { Usd } from "@/components/ui/usd";
import type { TExecutionSummary } from "@/lib/reports/executions";

// The state comes from lib/executions/state.ts, the same definition the API uses.
const STATUS_STYLE: Record<TExecutionSummary["status"], string> = {
  running: "bg-sky-50 text-sky-700",
  idle: "bg-slate-100 text-slate-600",
  done: "bg-emerald-50 text-emerald-700",
  failed: "bg-rose-50 text-rose-700",
  blocked: "bg-amber-50 text-amber-800",
};

export function TopExecutions({ executions, timezone }: { executions: TExecutionSummary[]; timezone: string }) {
  if (executions.length === 0) return <p className="px-3 py-6 text-sm text-slate-500">No executions this month yet.</p>;
  return (
    <table className="w-full text-sm">
      <thead>
        <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
          <th className="px-3 py-2 font-medium">Execution</th>
          <th className="px-3 py-2 font-medium">Agent · task</th>
          <th className="px-3 py-2 font-medium">Team</th>
          <th className="px-3 py-2 text-right font-medium">Calls</th>
          <th className="px-3 py-2 text-right font-medium">Retries</th>
          <th className="px-3 py-2 font-medium">Last call</th>
          <th className="px-3 py-2 text-right font-medium">Cost</th>
        </tr>
      </thead>
      <tbody>
        {executions.map((ex) => {
          const status = ex.status;
          return (
            <tr key={ex.id} className="border-t border-slate-100 align-top">
              <td className="px-3 py-2">
                <div className="font-mono text-xs">{ex.id}</div>
                <span className={`mt-1 inline-block rounded px-1.5 py-0.5 text-[11px] font-medium ${STATUS_STYLE[status] ?? ""}`}>{status}</span>
              </td>
              <td className="px-3 py-2">
                <div className="font-medium">{ex.agent ?? "—"}</div>
                <div className="text-xs text-slate-500">{ex.task ?? ""}</div>
              </td>
              <td className="px-3 py-2 text-slate-600">{ex.team ?? "—"}</td>
              <td className="px-3 py-2 text-right tabular-nums">{ex.calls.toLocaleString("en-US")}</td>
              <td className="px-3 py-2 text-right tabular-nums">
                {ex.retries > 0 ? <span className="text-amber-700">{ex.retries} (<Usd value={ex.retry_cost_usd} />)</span> : "0"}
              </td>
              <td className="px-3 py-2 text-slate-600">{shortDateTime(ex.last_seen_at, timezone)}</td>
              <td className="px-3 py-2 text-right font-semibold tabular-nums"><Usd value={ex.cost_usd} /></td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
