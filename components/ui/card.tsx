import type { ReactNode } from "react";

export function Card({ title, children, className = "" }: { title: string; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white shadow-sm ${className}`}>
      <h2 className="border-b border-slate-100 px-5 py-3 text-sm font-semibold text-slate-700">{title}</h2>
      {/* Wide tables scroll inside the card on a phone instead of spilling out of it. */}
      <div className="overflow-x-auto p-2">{children}</div>
    </section>
  );
}
