// Fixed-height placeholders shaped like the page, so nothing jumps when the list arrives.
export default function Loading() {
  return (
    <main className="mx-auto max-w-6xl space-y-4 px-4 py-6 text-slate-900 sm:px-6 sm:py-8 dark:text-slate-100" aria-busy="true" aria-label="Loading anomalies">
      <div className="h-8 w-48 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      <div className="h-10 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />
      <div className="h-[28rem] animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />
    </main>
  );
}
