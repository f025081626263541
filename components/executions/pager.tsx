import Link from "next/link";

const LINK = "rounded-md border border-slate-200 bg-white px-3 py-1.5 text-sm text-slate-800 hover:bg-slate-50 dark:text-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";
const OFF = "rounded-md border border-slate-100 px-3 py-1.5 text-sm text-slate-400 dark:border-slate-800 dark:text-slate-600";

// Keyset paging: previous / next (and back to the first page). No page numbers: a keyset page has
// a position, not a number, which is what keeps page 1,000 as fast as page 1.
export function Pager({ prevHref, nextHref, firstHref, label }: { prevHref: string | null; nextHref: string | null; firstHref: string | null; label: string }) {
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-end gap-2 px-2 py-3">
      {firstHref && <Link href={firstHref} className={LINK}>First page</Link>}
      {prevHref ? <Link href={prevHref} rel="prev" className={LINK}>← Previous page</Link> : <span className={OFF} aria-disabled>← Previous page</span>}
      {nextHref ? <Link href={nextHref} rel="next" className={LINK}>Next page →</Link> : <span className={OFF} aria-disabled>Next page →</span>}
    </nav>
  );
}
