import type { ReactNode } from "react";

export function Card({ title, children, className = "", actions, testId }: { title: ReactNode; children: ReactNode; className?: string; actions?: ReactNode; testId?: string }) {
  return (
    <section className={`min-w-0 rounded-lg border border-slate-200 bg-white text-slate-900 shadow-sm dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100 ${className}`} data-testid={testId}>
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 border-b border-slate-100 px-5 py-3 dark:border-slate-800">
        <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{title}</h2>
        {actions}
      </div>
      {/* Wide tables scroll inside the card on a phone instead of spilling out of it (min-w-0: also as a grid item). */}
      <div className="overflow-x-auto p-2">{children}</div>
    </section>
  );
}
