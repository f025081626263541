import Link from "next/link";
import type { TAnomalyRow } from "@/lib/anomalies/list";
import { StateBadge } from "@/components/executions/state-badge";
import { shortDateTime } from "@/components/ui/format";
import type { TAction } from "@/components/ui/action";
import { Usd } from "@/components/ui/usd";
import { AcknowledgeButton, ResumeButton } from "./anomaly-buttons";
import { BlockedBadge, KIND_LABEL, KindBadge, StatusBadge } from "./badges";
import { Sparkline } from "./sparkline";

const LINK = "text-sky-700 underline-offset-2 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-orange-500 dark:text-sky-400";
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export type TAnomalyActions = {
  // Present when the viewer's role may use them.
  acknowledge?: TAction;
  resume?: TAction<{ resumed: boolean; resolvedAnomalies: number }>;
};

// One anomaly a lead reads at a glance: what (kind, blocked), the evidence in a sentence, which
// execution and agent, how much, when — and the calls around it, the anomaly's in red.
export function AnomalyItem({ a, orgSlug, timezone, actions, compact = false }: { a: TAnomalyRow; orgSlug: string; timezone: string; actions: TAnomalyActions; compact?: boolean }) {
  const executionHref = a.executionId ? `/${orgSlug}/executions/${encodeURIComponent(a.executionId)}` : null;
  const mayAcknowledge = actions.acknowledge && a.status === "open";
  const mayResume = actions.resume && a.executionId && a.execution?.state === "blocked";
  return (
    <li className="px-3 py-3 sm:px-4" data-testid="anomaly-row" data-anomaly-id={a.id}>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0 flex-1 space-y-1">
          <div className="flex flex-wrap items-center gap-1.5">
            <KindBadge kind={a.kind} />
            {a.blocked && a.status !== "resolved" && <BlockedBadge />}
            <StatusBadge status={a.status} />
            {a.severity === "HIGH" && <span className="text-[11px] font-medium uppercase tracking-wide text-rose-700 dark:text-rose-400">high</span>}
          </div>
          <p className="break-words text-sm font-medium text-slate-900 dark:text-slate-100" data-testid="anomaly-summary">{sentence(a.evidenceText)}</p>
          <p className="flex flex-wrap items-center gap-x-1.5 gap-y-0.5 text-xs text-slate-600 dark:text-slate-300">
            {executionHref ? (
              <>
                <span>Execution</span>
                <Link href={executionHref} className={`${LINK} break-all font-mono`} data-testid="anomaly-execution">{a.executionId}</Link>
                {a.execution && <StateBadge state={a.execution.state} />}
              </>
            ) : (
              <span>{a.agent ? "Agent-wide" : "Org-wide"}</span>
            )}
            {a.agent && <><span aria-hidden>·</span><span>agent <span className="font-medium">{a.agent}</span></span></>}
            <span aria-hidden>·</span>
            <span>detected <time dateTime={a.detectedAt}>{shortDateTime(a.detectedAt, timezone)}</time></span>
          </p>
          {!compact && (a.acknowledgedAt || a.resolvedAt) && (
            <p className="text-xs text-slate-500 dark:text-slate-400">
              {a.resolvedAt ? (
                <>Resolved {shortDateTime(a.resolvedAt, timezone)}{a.resolvedBy ? ` by ${a.resolvedBy}` : ""}</>
              ) : (
                <>Acknowledged {shortDateTime(a.acknowledgedAt!, timezone)}{a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ""}</>
              )}
            </p>
          )}
        </div>
        <div className="flex shrink-0 items-center gap-3 sm:flex-col sm:items-end sm:gap-1">
          <div className="min-w-[5.5rem] text-right">
            <div className="text-lg font-semibold tabular-nums" data-testid="anomaly-cost"><Usd value={a.costUsd} /></div>
            <div className="text-[11px] text-slate-500 dark:text-slate-400">{a.kind === "RETRY_LOOP" ? "in the loop" : a.kind === "VELOCITY" ? "in a minute" : "cost"}</div>
          </div>
          {a.executionId && <div className="min-w-0 flex-1 sm:flex-none"><Sparkline points={a.timeline} label={`Cost of each call around this ${KIND_LABEL[a.kind].toLowerCase()}; the anomaly's calls in red`} /></div>}
        </div>
      </div>
      {(mayAcknowledge || mayResume) && (
        <div className="mt-2 flex flex-wrap items-center gap-2">
          {mayResume && <ResumeButton orgSlug={orgSlug} executionId={a.executionId!} resume={actions.resume!} />}
          {mayAcknowledge && <AcknowledgeButton orgSlug={orgSlug} anomalyId={a.id} acknowledge={actions.acknowledge!} />}
        </div>
      )}
    </li>
  );
}

export function AnomalyList({ rows, orgSlug, timezone, actions, compact }: { rows: TAnomalyRow[]; orgSlug: string; timezone: string; actions: TAnomalyActions; compact?: boolean }) {
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="anomaly-list">
      {rows.map((a) => <AnomalyItem key={a.id} a={a} orgSlug={orgSlug} timezone={timezone} actions={actions} compact={compact} />)}
    </ul>
  );
}
