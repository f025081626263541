// The overview's skeleton: the same blocks at the same heights as the page, so nothing moves when
// the data arrives.
const block = "animate-pulse rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900";

export default function OverviewLoading() {
  return (
    <main className="mx-auto max-w-6xl space-y-5 px-4 py-6 sm:px-6 sm:py-8" aria-busy="true" aria-label="Loading the overview">
      <div className="h-12 w-64 rounded bg-slate-200/70 dark:bg-slate-800" />
      <div className="h-9 w-full max-w-xl rounded bg-slate-200/70 dark:bg-slate-800" />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {[0, 1, 2, 3].map((i) => (
          <div key={i} className={`${block} h-44`} />
        ))}
      </div>
      <div className={`${block} h-[25rem]`} />
      <div className="grid gap-5 lg:grid-cols-5">
        <div className={`${block} h-[33rem] lg:col-span-3`} />
        <div className={`${block} h-[33rem] lg:col-span-2`} />
      </div>
      <div className={`${block} h-96`} />
    </main>
  );
}
