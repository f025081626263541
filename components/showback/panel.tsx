import type { ReactNode } from "react";

// A titled section of the showback page, light and dark (the page must read in both).
export function Panel({ title, action, children, className = "", testId }: { title: ReactNode; action?: ReactNode; children: ReactNode; className?: string; testId?: string }) {
  return (
    <section className={`min-w-0 rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900 ${className}`} data-testid={testId}>
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 border-b border-slate-100 px-5 py-3 dark:border-slate-800">
        <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{title}</h2>
        {action}
      </div>
      {/* Wide content scrolls inside the panel on a phone instead of spilling out of the page. */}
      <div className="overflow-x-auto p-2">{children}</div>
    </section>
  );
}
