import { Usd } from "@/components/ui/usd";
import type { TSubagentShare } from "@/lib/executions/timeline";
import { integer } from "./format";

// Who in the execution spent it: the main agent and each subagent, by cost (by calls when free).
export function SubagentShare({ rows }: { rows: TSubagentShare[] }) {
  if (rows.length === 0) return <p className="px-3 py-4 text-sm text-slate-500 dark:text-slate-400">No calls yet.</p>;
  return (
    <ul className="space-y-2 px-3 py-2 text-sm" data-testid="subagent-share">
      {rows.map((r) => (
        <li key={r.subagent ?? ""}>
          <div className="flex flex-wrap items-baseline justify-between gap-x-3">
            <span className="truncate font-medium">{r.subagent ?? <span>main agent <span className="font-normal text-slate-500 dark:text-slate-400">(no subagent)</span></span>}</span>
            <span className="whitespace-nowrap tabular-nums text-slate-600 dark:text-slate-300">
              <Usd value={r.cost_usd} /> · {integer(r.calls)} {r.calls === 1 ? "call" : "calls"} · <span className="font-semibold">{r.share_percent} %</span>
            </span>
          </div>
          <div className="mt-1 h-2 w-full overflow-hidden rounded bg-slate-100 dark:bg-slate-800" aria-hidden>
            <div className={`h-full rounded ${r.subagent ? "bg-teal-500" : "bg-indigo-500"}`} style={{ width: `${Math.min(100, Number(r.share_percent))}%` }} />
          </div>
        </li>
      ))}
    </ul>
  );
}
