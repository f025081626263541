// While a month's showback loads: the page's frame at its usual size, so nothing jumps when it lands.
export default function Loading() {
  const block = "animate-pulse rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900";
  return (
    <div className="min-h-screen dark:bg-slate-950">
      <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8" aria-busy="true" aria-label="Loading showback">
        <div className="space-y-2">
          <div className="h-8 w-48 rounded bg-slate-200 dark:bg-slate-800" />
          <div className="h-4 w-full max-w-xl rounded bg-slate-100 dark:bg-slate-800/60" />
        </div>
        <div className="h-9 w-full max-w-2xl rounded bg-slate-100 dark:bg-slate-800/60" />
        <div className="grid gap-4 lg:grid-cols-3">
          <div className={`${block} h-56`} />
          <div className={`${block} h-56 lg:col-span-2`} />
        </div>
        <div className={`${block} h-72`} />
      </main>
    </div>
  );
}
