// Fixed-height placeholders in the page's layout, so nothing shifts when the data arrives.
export default function Loading() {
  const block = "animate-pulse rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900";
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8" aria-busy="true" aria-label="Loading models">
      <div className="space-y-2">
        <div className="h-8 w-40 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
        <div className="h-10 w-full max-w-3xl animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      </div>
      <div className={`${block} h-48`} />
      <div className={`${block} h-96`} />
    </main>
  );
}
