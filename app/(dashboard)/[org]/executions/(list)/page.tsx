import type { Metadata } from "next";
import Link from "next/link";
import { requireOrgPage } from "@/lib/auth/session";
import { DomainError } from "@/lib/errors";
import {
  EXECUTION_SORTS,
  filtersOf,
  listExecutions,
  listFilterOptions,
  listHref,
  parseListSearch,
  resolveListRange,
  type TExecutionListPage,
} from "@/lib/executions/list";
import { ExecutionTable, type TSortLinks } from "@/components/executions/execution-table";
import { ActiveFilters, ListFilters } from "@/components/executions/list-filters";
import { Pager } from "@/components/executions/pager";
import { Panel } from "@/components/executions/panel";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Executions" };

const SORT_LABEL: Record<(typeof EXECUTION_SORTS)[number], string> = {
  cost: "cost",
  last_seen: "last call",
  first_seen: "start",
  calls: "calls",
  retries: "retries",
  retry_cost: "retry cost",
  duration: "duration",
};
const RANGE_LABEL = { today: "today", "7d": "the last 7 days", "30d": "the last 30 days", month: "this month", all: "all time" } as const;
const CHIPS = [["state", "State"], ["agent", "Agent"], ["task", "Task"], ["team", "Team"], ["user", "User"], ["repository", "Repository"], ["cost_center", "Cost center"], ["from", "From"], ["to", "To"]] as const;

export default async function ExecutionsPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  const search = parseListSearch(await searchParams);
  const [range, options] = await Promise.all([resolveListRange(org.timezone, search), listFilterOptions(org.id)]);
  const query = { orgId: org.id, sort: search.sort, dir: search.dir, filters: filtersOf(search, range) };

  let page: TExecutionListPage;
  let cursorRefused = false;
  try {
    page = await listExecutions({ ...query, cursor: search.cursor });
  } catch (err) {
    // A tampered or stale page link: say so and show the first page rather than fail.
    if (!(err instanceof DomainError) || err.status !== 400) throw err;
    cursorRefused = true;
    page = await listExecutions(query);
  }

  const href = (change: Parameters<typeof listHref>[2]) => listHref(org.slug, search, change);
  const sortLinks = Object.fromEntries(
    EXECUTION_SORTS.map((s) => {
      const active = s === search.sort;
      // A click on the active column flips its direction; on another column, biggest first.
      return [s, { active, dir: search.dir, href: href({ sort: s, dir: active && search.dir === "desc" ? "asc" : "desc" }) }];
    }),
  ) as TSortLinks;
  const chips = CHIPS.filter(([key]) => search[key]).map(([key, label]) => ({ label, value: search[key]!, removeHref: href({ [key]: undefined }) }));
  const period = search.from || search.to ? `${search.from ?? "the beginning"} – ${search.to ?? "now"}` : RANGE_LABEL[search.range];
  const firstPage = search.cursor && !cursorRefused ? href({}) : null;

  return (
    <main className="mx-auto max-w-6xl space-y-4 px-4 py-6 text-slate-900 sm:px-6 sm:py-8 dark:text-slate-100">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Executions</h1>
        <p className="text-sm text-slate-500 dark:text-slate-400">
          Agent runs active in {period}, by {SORT_LABEL[search.sort]}, {search.dir === "desc" ? "highest first" : "lowest first"} · times in {org.timezone}.<span className="hidden sm:inline"> Click a column to sort, a value to filter by it, an execution to see its calls.</span>
        </p>
      </header>

      <section aria-label="Filters" className="rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <ListFilters action={`/${org.slug}/executions`} search={search} teams={options.teams} costCenters={options.costCenters} timezone={org.timezone} />
        <ActiveFilters chips={chips} />
      </section>

      {cursorRefused && (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          That page link is not valid (edited, or made for another sort order), so this is the first page.
        </p>
      )}

      <Panel title={`By ${SORT_LABEL[search.sort]}, ${search.dir === "desc" ? "highest first" : "lowest first"}`} aside={page.executions.length ? `${page.executions.length} on this page` : undefined}>
        {page.executions.length === 0 ? (
          <div className="px-3 py-8 text-sm text-slate-600 dark:text-slate-300">
            <p className="font-medium">No executions match{chips.length ? " these filters" : ""} in {period}.</p>
            <p className="mt-1 text-slate-500 dark:text-slate-400">
              {search.range !== "all" || chips.length ? (
                <>Widen the range to <Link className="text-sky-700 underline dark:text-sky-400" href={listHref(org.slug, { ...search, from: undefined, to: undefined }, { range: "all" })}>all time</Link>{chips.length ? <> or <Link className="text-sky-700 underline dark:text-sky-400" href={`/${org.slug}/executions`}>clear the filters</Link></> : null}. </>
              ) : null}
              An execution appears when events carry an <code className="font-mono">execution_id</code> (POST /api/v1/events; see the API docs) — one agent run, with its calls, retries and cost.
            </p>
          </div>
        ) : (
          <>
            <ExecutionTable
              orgSlug={org.slug}
              rows={page.executions}
              timezone={org.timezone}
              sortLinks={sortLinks}
              filterHref={(key, value) => href({ [key]: value })}
            />
            <Pager
              label="Executions pages"
              firstHref={firstPage}
              prevHref={page.prevCursor ? href({ cursor: page.prevCursor }) : null}
              nextHref={page.nextCursor ? href({ cursor: page.nextCursor }) : null}
            />
          </>
        )}
      </Panel>
    </main>
  );
}
