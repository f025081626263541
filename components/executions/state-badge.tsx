import type { TExecutionState } from "@/lib/executions/state";

// The state comes from lib/executions/state.ts, the same definition the API uses.
const STYLE: Record<TExecutionState, string> = {
  running: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  idle: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  done: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  failed: "bg-rose-100 text-rose-800 dark:bg-rose-950 dark:text-rose-300",
  blocked: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300",
};

export function StateBadge({ state }: { state: TExecutionState }) {
  return <span className={`inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-[11px] font-medium ${STYLE[state]}`}>{state}</span>;
}
