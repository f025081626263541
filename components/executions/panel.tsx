import type { ReactNode } from "react";

// A titled section, legible in light and dark mode. Wide content scrolls inside it on a phone.
export function Panel({ title, aside, children, className = "" }: { title: ReactNode; aside?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white text-slate-900 shadow-sm dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100 ${className}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 border-b border-slate-100 px-4 py-3 dark:border-slate-800 sm:px-5">
        <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{title}</h2>
        {aside && <div className="text-xs text-slate-500 dark:text-slate-400">{aside}</div>}
      </div>
      <div className="overflow-x-auto p-2">{children}</div>
    </section>
  );
}
