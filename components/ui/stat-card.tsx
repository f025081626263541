import type { ReactNode } from "react";

const TONES = {
  neutral: "border-slate-200 dark:border-slate-800",
  warning: "border-amber-300 dark:border-amber-700",
  danger: "border-rose-300 dark:border-rose-800",
} as const;

// A headline number. Fixed-height parts (label, value, two hint lines) so a refresh never shifts
// the page when a hint grows or shrinks.
export function StatCard({ label, value, hint, children, tone = "neutral", testId }: {
  label: ReactNode;
  value: ReactNode;
  hint?: ReactNode;
  children?: ReactNode;
  tone?: keyof typeof TONES;
  testId?: string;
}) {
  return (
    <div className={`rounded-lg border bg-white p-5 text-slate-900 shadow-sm dark:bg-slate-900 dark:text-slate-100 ${TONES[tone]}`} data-testid={testId}>
      <div className="text-sm font-medium text-slate-500 dark:text-slate-400">{label}</div>
      <div className="mt-2 text-3xl font-semibold tabular-nums tracking-tight text-slate-900 dark:text-slate-50">{value}</div>
      {hint && <div className="mt-1 text-xs text-slate-500 dark:text-slate-400">{hint}</div>}
      {children}
    </div>
  );
}
