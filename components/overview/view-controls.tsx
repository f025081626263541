import Link from "next/link";

// The view lives in the URL: range presets and stack choices are links, the custom range is a plain
// GET form (works before JavaScript loads), each filter is a chip whose × is a link without it.
// Copying the address bar shares exactly this view. The page builds every href
// (lib/reports/filters.ts viewQuery); these components only draw them.

export type TViewLink = { id: string; label: string; href: string; active: boolean };

const pill = (active: boolean) =>
  `whitespace-nowrap rounded-md px-2.5 py-1 text-sm focus-visible:outline-2 focus-visible:outline-orange-500 ${
    active ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
  }`;

export function RangePicker({ presets, action, hidden, fromDate, toDate, customActive }: {
  presets: TViewLink[];
  action: string;
  // The rest of the view (filters, stack), carried by the custom-range form.
  hidden: { name: string; value: string }[];
  fromDate: string;
  toDate: string;
  customActive: boolean;
}) {
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
      <nav aria-label="Date range" className="flex max-w-full gap-1 overflow-x-auto rounded-lg border border-slate-200 bg-white p-1 dark:border-slate-700 dark:bg-slate-900">
        {presets.map((p) => (
          <Link key={p.id} href={p.href} className={pill(p.active)} aria-current={p.active ? "page" : undefined} data-testid={`range-${p.id}`}>
            {p.label}
          </Link>
        ))}
      </nav>
      <form method="get" action={action} className="flex flex-wrap items-center gap-1.5 text-sm" aria-label="Custom range">
        <input type="hidden" name="range" value="custom" />
        {hidden.map((h) => (
          <input key={h.name} type="hidden" name={h.name} value={h.value} />
        ))}
        <label className="sr-only" htmlFor="range-from">From</label>
        <input id="range-from" name="from" type="date" defaultValue={fromDate} required className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100" />
        <span className="text-slate-400" aria-hidden>→</span>
        <label className="sr-only" htmlFor="range-to">To</label>
        <input id="range-to" name="to" type="date" defaultValue={toDate} required className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100" />
        <button type="submit" className={`${pill(customActive)} border border-slate-300 dark:border-slate-600`}>
          {customActive ? "Custom ✓" : "Apply"}
        </button>
      </form>
    </div>
  );
}

export type TFilterChip = { dimension: string; label: string; value: string; removeHref: string };

export function FilterChips({ chips, clearHref }: { chips: TFilterChip[]; clearHref: string }) {
  if (chips.length === 0) {
    return <p className="text-xs text-slate-500 dark:text-slate-400">All spend. Click a name in a breakdown below to filter by it.</p>;
  }
  return (
    <div className="flex flex-wrap items-center gap-2" aria-label="Filters" data-testid="filter-chips">
      <span className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Filtered to</span>
      {chips.map((c) => (
        <span key={c.dimension} className="inline-flex items-center gap-1 rounded-full border border-orange-300 bg-orange-50 py-0.5 pl-2.5 pr-1 text-sm text-orange-900 dark:border-orange-800 dark:bg-orange-950 dark:text-orange-200" data-testid="filter-chip" data-dimension={c.dimension}>
          {c.label}: <span className="max-w-[12rem] truncate font-medium">{c.value}</span>
          <Link
            href={c.removeHref}
            aria-label={`Remove filter ${c.label} ${c.value}`}
            className="ml-0.5 rounded-full px-1.5 leading-5 hover:bg-orange-200 focus-visible:outline-2 focus-visible:outline-orange-500 dark:hover:bg-orange-900"
          >
            ×
          </Link>
        </span>
      ))}
      {chips.length > 1 ? (
        <Link href={clearHref} className="text-xs text-slate-600 underline hover:text-slate-900 dark:text-slate-300 dark:hover:text-white">
          Clear all
        </Link>
      ) : null}
    </div>
  );
}

export function StackPicker({ options }: { options: TViewLink[] }) {
  return (
    <nav aria-label="Stack the chart by" className="flex max-w-full items-center gap-1 overflow-x-auto text-sm">
      <span className="mr-1 whitespace-nowrap text-xs text-slate-500 dark:text-slate-400">Stack by</span>
      {options.map((o) => (
        <Link key={o.id} href={o.href} className={pill(o.active)} aria-current={o.active ? "page" : undefined} data-testid={`stack-${o.id}`} scroll={false}>
          {o.label}
        </Link>
      ))}
    </nav>
  );
}
