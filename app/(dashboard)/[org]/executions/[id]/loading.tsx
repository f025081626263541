// Fixed-height placeholders shaped like the page (header, stats, chart, table): nothing jumps.
export default function Loading() {
  return (
    <main className="mx-auto max-w-6xl space-y-4 px-4 py-6 text-slate-900 sm:px-6 sm:py-8 dark:text-slate-100" aria-busy="true" aria-label="Loading execution">
      <div className="h-16 w-2/3 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        {Array.from({ length: 5 }, (_, i) => <div key={i} className="h-24 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />)}
      </div>
      <div className="h-[34rem] animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />
    </main>
  );
}
