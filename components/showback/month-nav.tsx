import Link from "next/link";

export type TMonthLink = { value: string; label: string };

// Month picker kept in the URL (?month=YYYY-MM) so a month can be shared: previous / next links, a
// native month field for a jump (a plain GET form: works without JavaScript), and the CSV.
export function MonthNav(props: { basePath: string; month: TMonthLink; previous: TMonthLink; next: TMonthLink | null; max: string; csvHref: string }) {
  const button =
    "inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800";
  return (
    <nav aria-label="Month" className="flex flex-wrap items-center gap-2" data-testid="month-nav">
      <Link href={`${props.basePath}?month=${props.previous.value}`} className={button} data-testid="month-prev" rel="prev">
        <span aria-hidden>←</span>&nbsp;{props.previous.label}
      </Link>
      {props.next ? (
        <Link href={`${props.basePath}?month=${props.next.value}`} className={button} data-testid="month-next" rel="next">
          {props.next.label}&nbsp;<span aria-hidden>→</span>
        </Link>
      ) : null}
      <form method="get" action={props.basePath} className="flex items-center gap-1">
        <label htmlFor="showback-month" className="sr-only">Month</label>
        <input
          id="showback-month"
          type="month"
          name="month"
          defaultValue={props.month.value}
          max={props.max}
          min="2000-01"
          required
          className="w-40 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus:border-orange-500 focus:outline-none focus:ring-1 focus:ring-orange-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:[color-scheme:dark]"
        />
        <button type="submit" className={button}>Show</button>
      </form>
      <a
        href={props.csvHref}
        download
        className="inline-flex items-center rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500 sm:ml-auto dark:bg-orange-500 dark:text-slate-950 dark:hover:bg-orange-400"
        data-testid="showback-csv"
      >
        Download CSV · {props.month.label}
      </a>
    </nav>
  );
}
