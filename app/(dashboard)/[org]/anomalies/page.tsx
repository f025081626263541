import type { Metadata } from "next";
import Link from "next/link";
import { ANOMALY_KIND_LABEL, type TAnomalyKindName } from "@/lib/anomalies/describe";
import { ANOMALY_KINDS, anomaliesHref, anomalyCounts, listAnomalies, parseAnomalySearch, type TAnomalyPage } from "@/lib/anomalies/list";
import { anomalySettingsFor, watchedInWords } from "@/lib/anomalies/settings-edit";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { DomainError } from "@/lib/errors";
import { AnomalyList } from "@/components/anomalies/anomaly-list";
import { Pager } from "@/components/executions/pager";
import { Panel } from "@/components/executions/panel";
import { acknowledgeAnomaly, resumeExecution } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Anomalies" };

const STATUS_TABS = [
  ["unresolved", "Unresolved"],
  ["open", "Open"],
  ["acknowledged", "Acknowledged"],
  ["resolved", "Resolved"],
] as const;
const STATUS_WORDS = { unresolved: "unresolved", open: "open", acknowledged: "acknowledged", resolved: "resolved" } as const;
const TAB = "whitespace-nowrap rounded-md px-3 py-1.5 text-sm focus-visible:outline focus-visible:outline-2 focus-visible:outline-orange-500";
const TAB_ON = "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900";
const TAB_OFF = "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800";

export default async function AnomaliesPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const search = parseAnomalySearch(await searchParams);
  const query = { orgId: org.id, status: search.status, kind: search.kind };
  const [counts, settings] = await Promise.all([anomalyCounts(org.id), anomalySettingsFor(org.id)]);

  let page: TAnomalyPage;
  let cursorRefused = false;
  try {
    page = await listAnomalies({ ...query, cursor: search.cursor });
  } catch (err) {
    // A tampered or stale page link: say so and show the first page rather than fail.
    if (!(err instanceof DomainError) || err.status !== 400) throw err;
    cursorRefused = true;
    page = await listAnomalies(query);
  }

  const actions = {
    acknowledge: can(access.role, "anomaly.acknowledge") ? acknowledgeAnomaly : undefined,
    resume: can(access.role, "execution.resume") ? resumeExecution : undefined,
  };
  const tabCount = { unresolved: counts.open + counts.acknowledged, open: counts.open, acknowledged: counts.acknowledged, resolved: null } as const;
  const kindName = search.kind ? ANOMALY_KIND_LABEL[search.kind].toLowerCase() : null;
  const watched = watchedInWords(settings);

  return (
    <main className="mx-auto max-w-6xl space-y-4 px-4 py-6 text-slate-900 sm:px-6 sm:py-8 dark:text-slate-100">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Anomalies</h1>
        <p className="text-sm text-slate-500 dark:text-slate-400">
          Runaway agents caught by Burnrate: retry loops, cost spikes, growing contexts, spend velocity, premium models.{" "}
          {counts.open > 0 ? <span className="font-medium text-rose-700 dark:text-rose-400">{counts.open} open{counts.openBlocked ? `, ${counts.openBlocked} blocking an execution` : ""}.</span> : "Nothing open."}{" "}
          Times in {org.timezone}.
        </p>
      </header>

      <nav aria-label="Anomaly status" className="-mx-1 flex flex-wrap gap-1">
        {STATUS_TABS.map(([status, label]) => {
          const active = status === search.status;
          const n = tabCount[status];
          return (
            <Link key={status} href={anomaliesHref(org.slug, { status, kind: search.kind })} aria-current={active ? "page" : undefined} className={`${TAB} ${active ? TAB_ON : TAB_OFF}`}>
              {label}{n !== null ? <span className="ml-1 tabular-nums opacity-70">{n}</span> : null}
            </Link>
          );
        })}
      </nav>
      <nav aria-label="Anomaly kind" className="-mx-1 flex flex-wrap gap-1 text-xs">
        {[null, ...ANOMALY_KINDS].map((kind: TAnomalyKindName | null) => {
          const active = kind === search.kind;
          return (
            <Link
              key={kind ?? "all"}
              href={anomaliesHref(org.slug, { status: search.status, kind })}
              aria-current={active ? "page" : undefined}
              className={`rounded-full border px-2.5 py-1 focus-visible:outline focus-visible:outline-2 focus-visible:outline-orange-500 ${active ? "border-slate-900 bg-slate-900 text-white dark:border-slate-100 dark:bg-slate-100 dark:text-slate-900" : "border-slate-200 text-slate-600 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800"}`}
            >
              {kind ? ANOMALY_KIND_LABEL[kind] : "All kinds"}
            </Link>
          );
        })}
      </nav>

      {cursorRefused && (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          That page link is not valid (edited, or made for another list), so this is the first page.
        </p>
      )}

      <Panel
        title={`${STATUS_TABS.find(([s]) => s === search.status)![1]}${kindName ? ` · ${kindName}` : ""}${search.status === "unresolved" ? " — open first, then acknowledged; newest first" : ", newest first"}`}
        aside={page.rows.length ? `${page.rows.length} on this page` : undefined}
      >
        {page.rows.length === 0 ? (
          <div className="px-3 py-6 text-sm text-slate-600 dark:text-slate-300" data-testid="anomalies-empty">
            <p className="font-medium">No {STATUS_WORDS[search.status]} {kindName ?? "anomalies"}{search.status === "resolved" ? " yet" : " — nothing is running away right now"}.</p>
            <p className="mt-2 text-slate-500 dark:text-slate-400">Burnrate watches every execution as its calls arrive, and the org&apos;s spend every 30 seconds, for:</p>
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-slate-600 dark:text-slate-300">
              {watched.map((w) => (
                <li key={w.kind} className={w.on ? "" : "text-slate-400 line-through dark:text-slate-500"}>
                  <span className="font-medium">{ANOMALY_KIND_LABEL[w.kind as TAnomalyKindName]}</span>: {w.text}{w.on ? "" : " (off)"}
                </li>
              ))}
            </ul>
            <p className="mt-2 text-slate-500 dark:text-slate-400">
              Owners and admins are emailed (and the org&apos;s webhook called) once per anomaly. Thresholds and the circuit breaker are in{" "}
              <Link href={`/${org.slug}/settings#runaway-detection`} className="text-sky-700 underline dark:text-sky-400">settings</Link>.
            </p>
          </div>
        ) : (
          <>
            <AnomalyList rows={page.rows} orgSlug={org.slug} timezone={org.timezone} actions={actions} />
            {(page.nextCursor || search.cursor) && (
              <Pager
                label="Anomalies pages"
                firstHref={search.cursor && !cursorRefused ? anomaliesHref(org.slug, { status: search.status, kind: search.kind }) : null}
                prevHref={null}
                nextHref={page.nextCursor ? anomaliesHref(org.slug, { status: search.status, kind: search.kind, cursor: page.nextCursor }) : null}
              />
            )}
          </>
        )}
      </Panel>
    </main>
  );
}
