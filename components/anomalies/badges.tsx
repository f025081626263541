import type { TAnomalyKindName } from "@/lib/anomalies/describe";

// Kind, blocked and status badges of an anomaly, legible in light and dark mode.
export const KIND_LABEL: Record<TAnomalyKindName, string> = {
  RETRY_LOOP: "Retry loop",
  COST_SPIKE: "Cost spike",
  CONTEXT_GROWTH: "Context growth",
  VELOCITY: "Spend velocity",
  MODEL_MISUSE: "Premium model",
};

const KIND_STYLE: Record<TAnomalyKindName, string> = {
  RETRY_LOOP: "bg-rose-100 text-rose-800 dark:bg-rose-950 dark:text-rose-300",
  COST_SPIKE: "bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300",
  CONTEXT_GROWTH: "bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300",
  VELOCITY: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300",
  MODEL_MISUSE: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
};

export function KindBadge({ kind }: { kind: TAnomalyKindName }) {
  return <span className={`inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-semibold ${KIND_STYLE[kind]}`} data-testid="anomaly-kind">{KIND_LABEL[kind]}</span>;
}

export function BlockedBadge() {
  return (
    <span className="inline-block whitespace-nowrap rounded bg-red-600 px-1.5 py-0.5 text-xs font-semibold text-white dark:bg-red-500" data-testid="anomaly-blocked" title="The circuit breaker stopped this execution">
      ■ Blocked
    </span>
  );
}

const STATUS_STYLE = {
  open: "border-rose-300 text-rose-700 dark:border-rose-800 dark:text-rose-300",
  acknowledged: "border-slate-300 text-slate-600 dark:border-slate-600 dark:text-slate-300",
  resolved: "border-emerald-300 text-emerald-700 dark:border-emerald-800 dark:text-emerald-300",
} as const;

export function StatusBadge({ status }: { status: keyof typeof STATUS_STYLE }) {
  return <span className={`inline-block whitespace-nowrap rounded border px-1.5 py-px text-[11px] font-medium ${STATUS_STYLE[status]}`} data-testid="anomaly-status">{status}</span>;
}
