import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { DomainError } from "@/lib/errors";
import { executionTimeline, resolveExecutionId, type TExecutionTimeline } from "@/lib/executions/timeline";
import { displayUsd, exactUsd } from "@/lib/money";
import { CallTable } from "@/components/executions/call-table";
import { formatDuration, integer, timeWithSeconds } from "@/components/executions/format";
import { Pager } from "@/components/executions/pager";
import { Panel } from "@/components/executions/panel";
import { StateBadge } from "@/components/executions/state-badge";
import { SubagentShare } from "@/components/executions/subagent-share";
import { TimelineChart } from "@/components/executions/timeline-chart";
import { AnomalyList } from "@/components/anomalies/anomaly-list";
import { ResumeButton } from "@/components/anomalies/anomaly-buttons";
import { acknowledgeAnomaly, resumeExecution } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Execution" };

function Stat({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: ReactNode; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="text-xs font-medium text-slate-500 dark:text-slate-400">{label}</div>
      <div className="mt-1 text-xl font-semibold tabular-nums tracking-tight sm:text-2xl" data-testid={testId}>{value}</div>
      {hint && <div className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{hint}</div>}
    </div>
  );
}

async function load(orgId: string, id: string, callsCursor: string | null): Promise<{ timeline: TExecutionTimeline | null; cursorRefused: boolean }> {
  try {
    return { timeline: await executionTimeline({ orgId, executionId: id, callsCursor }), cursorRefused: false };
  } catch (err) {
    // A tampered or stale page link of the call table: say so and show its first page.
    if (!(err instanceof DomainError) || err.status !== 400) throw err;
    return { timeline: await executionTimeline({ orgId, executionId: id }), cursorRefused: true };
  }
}

export default async function ExecutionPage({ params, searchParams }: { params: Promise<{ org: string; id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { org: slug, id: rawId } = await params;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const sp = await searchParams;
  const callsCursor = typeof sp.calls === "string" && sp.calls ? sp.calls : null;

  // The layout answered 404 for an id this org does not have; resolve the same way here.
  const id = await resolveExecutionId(org.id, rawId);
  const { timeline, cursorRefused } = id ? await load(org.id, id, callsCursor) : { timeline: null, cursorRefused: false };
  if (!timeline) notFound();
  const ex = timeline.execution;
  const base = `/${org.slug}/executions/${encodeURIComponent(ex.id)}`;
  const callsTo = timeline.callsFrom + timeline.calls.length - 1;
  const mayResume = can(access.role, "execution.resume");
  const anomalyActions = {
    acknowledge: can(access.role, "anomaly.acknowledge") ? acknowledgeAnomaly : undefined,
    resume: mayResume ? resumeExecution : undefined,
  };
  const loopStart = timeline.chart.markers.find((m) => m.kind === "RETRY_LOOP" && !m.resolved);

  return (
    <main className="mx-auto max-w-6xl space-y-4 px-4 py-6 text-slate-900 sm:px-6 sm:py-8 dark:text-slate-100">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href={`/${org.slug}/executions`} className="text-sky-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-orange-500 dark:text-sky-400">← Executions</Link>
      </nav>
      <header className="space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <h1 className="break-all font-mono text-lg font-semibold tracking-tight sm:text-xl" data-testid="execution-id">{ex.id}</h1>
          <StateBadge state={ex.status} />
        </div>
        <p className="text-sm text-slate-700 dark:text-slate-200">
          <span className="font-semibold">{ex.agent ?? "no agent"}</span>
          {ex.task && <> · {ex.task}</>}
        </p>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Team {ex.team_name ?? ex.team ?? "—"}{ex.cost_center && <> (cost center {ex.cost_center})</>} · user {ex.user ?? "—"}
          {ex.repository && <> · {ex.repository}{ex.pull_request && <> #{ex.pull_request}</>}</>}
          {" · "}started {timeWithSeconds(ex.first_seen_at, org.timezone)}, last call {timeWithSeconds(ex.last_seen_at, org.timezone)} ({org.timezone})
          {ex.ended_at && <> · ended {timeWithSeconds(ex.ended_at, org.timezone)}{ex.outcome && <>: “{ex.outcome}”</>}</>}
        </p>
        {ex.status !== "blocked" && ex.resumed_at && (
          <p className="mt-2 text-sm text-emerald-800 dark:text-emerald-300" data-testid="resumed-note">
            ▶ Resumed at {timeWithSeconds(ex.resumed_at, org.timezone)} after a block — new calls are allowed again.
          </p>
        )}
        {ex.status === "blocked" && (
          <div role="status" className="mt-2 rounded-md border border-red-300 bg-red-50 px-3 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100" data-testid="blocked-banner">
            <p className="font-semibold">■ Blocked{ex.blocked_at && <> at {timeWithSeconds(ex.blocked_at, org.timezone)}</>} — new calls are refused until someone resumes it.</p>
            <p className="mt-1 break-words">{ex.blocked_reason ?? "No reason recorded"}.{loopStart && <> The loop starts at call #{loopStart.n} (red line on the timeline).</>}</p>
            <div className="mt-2 flex flex-wrap items-center gap-3">
              {mayResume ? (
                <ResumeButton orgSlug={org.slug} executionId={ex.id} resume={resumeExecution} size="md" />
              ) : (
                <span className="text-xs">Owners and admins can resume it.</span>
              )}
              <Link href={`/${org.slug}/anomalies`} className="text-xs underline">All anomalies</Link>
            </div>
          </div>
        )}
      </header>

      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        <Stat label="Cost" testId="execution-cost" value={<span title={`exact ${exactUsd(ex.cost_usd)}`}>{displayUsd(ex.cost_usd)}</span>} hint={`exact ${exactUsd(ex.cost_usd)}`} />
        <Stat label="Calls" value={integer(ex.calls)} hint={`${integer(ex.tool_calls)} tool · ${integer(ex.errors)} ${ex.errors === 1 ? "error" : "errors"}`} />
        <Stat
          label="Retries"
          testId="execution-retries"
          value={<span className={ex.retries > 0 ? "text-amber-600 dark:text-amber-400" : ""}>{integer(ex.retries)}</span>}
          hint={<>costing <span title={`exact ${exactUsd(ex.retry_cost_usd)}`}>{displayUsd(ex.retry_cost_usd)}</span></>}
        />
        <Stat label="Duration" value={formatDuration(ex.duration_ms)} hint="first call to last call" />
        <Stat label="Largest context" value={integer(ex.max_context_tokens)} hint="input tokens in one call" />
      </div>

      <Panel title="Timeline: cost and input tokens per call" aside="hover a bar for its exact numbers">
        <TimelineChart points={timeline.chart.points} timezone={org.timezone} capped={timeline.chart.capped} totalCalls={ex.calls} markers={timeline.chart.markers} />
      </Panel>

      {timeline.anomalies.length > 0 && (
        <Panel title="Anomalies in this execution" aside={<Link href={`/${org.slug}/anomalies`} className="underline">all anomalies</Link>}>
          <AnomalyList rows={timeline.anomalies} orgSlug={org.slug} timezone={org.timezone} actions={{ acknowledge: anomalyActions.acknowledge }} />
        </Panel>
      )}

      <Panel title="Share by subagent" aside="of this execution's cost">
        <SubagentShare rows={timeline.subagents} />
      </Panel>

      {cursorRefused && (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          That page link of the call table is not valid, so this is its first page.
        </p>
      )}
      <Panel title="Calls" aside={timeline.calls.length ? `${integer(timeline.callsFrom)}–${integer(callsTo)} of ${integer(ex.calls)}, oldest first` : undefined}>
        {timeline.calls.length === 0 ? (
          <p className="px-3 py-6 text-sm text-slate-500 dark:text-slate-400">No calls on this page. <Link href={base} className="underline">Back to the first calls</Link>.</p>
        ) : (
          <>
            <CallTable calls={timeline.calls} timezone={org.timezone} />
            {(timeline.nextCallsCursor || callsCursor) && (
              <Pager
                label="Call table pages"
                firstHref={callsCursor && !cursorRefused ? base : null}
                prevHref={null}
                nextHref={timeline.nextCallsCursor ? `${base}?calls=${timeline.nextCallsCursor}` : null}
              />
            )}
          </>
        )}
      </Panel>
    </main>
  );
}
