import { shortDateTime } from "@/components/ui/format";
import { Usd } from "@/components/ui/usd";
import type { TAction } from "@/components/ui/action";
import { ResendButton } from "./resend-button";

// What the alerts page shows of one alert: dates as ISO strings (formatted here in the org's zone).
export type TAlertDeliveryView = {
  channel: "email" | "webhook";
  id: string;
  target: string;
  state: "queued" | "retrying" | "sent" | "failed";
  attempts: number;
  providerId: string | null;
  responseStatus: number | null;
  lastError: string | null;
  sentAt: string | null;
  nextAttemptAt: string | null;
};

export type TAlertView = {
  id: string;
  createdAt: string;
  kind: "threshold" | "forecast";
  threshold: number;
  spentUsd: string;
  limitUsd: string;
  percent: number;
  notified: boolean;
  passedWith: number | null;
  projectedAt: string | null;
  budget: { name: string; scope: string; archived: boolean };
  item: string | null;
  deliveries: TAlertDeliveryView[];
};

const STATE_STYLE = {
  queued: "bg-amber-50 text-amber-800 ring-amber-200",
  retrying: "bg-amber-50 text-amber-800 ring-amber-200",
  sent: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
} as const;

function kindBadge(alert: TAlertView) {
  if (alert.kind === "forecast") return { label: "forecast", style: "bg-violet-100 text-violet-800" };
  if (alert.threshold >= 100) return { label: `${alert.threshold}%`, style: "bg-red-100 text-red-800" };
  if (alert.threshold >= 80) return { label: `${alert.threshold}%`, style: "bg-orange-100 text-orange-800" };
  return { label: `${alert.threshold}%`, style: "bg-amber-100 text-amber-800" };
}

const pct = (value: number) => `${Number.isInteger(value) ? value : value.toFixed(1)}%`;

function DeliveryLine({ d, timezone, orgSlug, mayResend, resend }: { d: TAlertDeliveryView; timezone: string; orgSlug: string; mayResend: boolean; resend: TAction<{ target: string }> }) {
  let detail: string | null = null;
  if (d.state === "sent") {
    // Webhooks: the receiver's status. Emails: the provider's message id (a support ticket's handle).
    detail = d.channel === "webhook" ? `HTTP ${d.responseStatus ?? "2xx"}` : d.providerId ? `message ${d.providerId.length > 14 ? `${d.providerId.slice(0, 12)}…` : d.providerId}` : null;
    if (d.sentAt) detail = `${detail ? `${detail} · ` : ""}${shortDateTime(d.sentAt, timezone)}`;
  } else if (d.state === "retrying") {
    detail = `attempt ${d.attempts}${d.nextAttemptAt ? ` · next ${shortDateTime(d.nextAttemptAt, timezone)}` : ""}`;
  } else if (d.state === "failed") {
    detail = `after ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`;
  }
  return (
    <li className="grid grid-cols-[4.5rem_minmax(0,1fr)] gap-x-2 py-1.5 text-sm" data-testid="alert-delivery" data-channel={d.channel} data-state={d.state}>
      <span className="pt-0.5 text-xs uppercase tracking-wide text-slate-400">{d.channel}</span>
      <div className="min-w-0 space-y-1">
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <span className="min-w-0 max-w-full truncate font-mono text-xs text-slate-700" title={d.target}>{d.target}</span>
          <span className={`rounded px-1.5 py-0.5 text-[11px] font-medium ring-1 ring-inset ${STATE_STYLE[d.state]}`} data-testid="delivery-state">{d.state}</span>
          {detail && <span className="text-xs text-slate-500">{detail}</span>}
        </div>
        {d.lastError && d.state !== "sent" && (
          <p className={`break-words text-xs ${d.state === "failed" ? "text-red-700" : "text-slate-500"}`} data-testid="delivery-error">
            {d.state === "failed" ? "Not delivered: " : "Last error: "}
            {d.lastError}
          </p>
        )}
        {d.state === "failed" && mayResend && <ResendButton orgSlug={orgSlug} channel={d.channel} id={d.id} target={d.target} resend={resend} />}
      </div>
    </li>
  );
}

// Server-rendered, newest first: one block per alert, its emails and webhook underneath.
export function AlertList(props: { alerts: TAlertView[]; timezone: string; orgSlug: string; mayResend: boolean; resend: TAction<{ target: string }> }) {
  if (props.alerts.length === 0) {
    return (
      <p className="px-3 py-6 text-sm text-slate-500">
        No alerts yet. When a budget passes one of its thresholds (50, 80 and 100 % by default) or is forecast to exceed its limit, the alert shows
        here with every email and webhook it was sent to.
      </p>
    );
  }
  return (
    <ol className="divide-y divide-slate-100">
      {props.alerts.map((a) => {
        const badge = kindBadge(a);
        return (
          <li key={a.id} className={`px-3 py-3 ${a.notified ? "" : "opacity-60"}`} data-testid="alert-row" data-notified={a.notified}>
            <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
              <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${a.notified ? badge.style : "bg-slate-100 text-slate-600"}`}>{badge.label}</span>
              <span className="font-medium text-slate-900">{a.budget.name}</span>
              <span className="text-sm text-slate-500">
                {a.budget.scope}
                {a.item && <> · <span className="font-mono text-xs text-slate-700">{a.item}</span></>}
                {a.budget.archived && " · archived budget"}
              </span>
              <time className="ml-auto whitespace-nowrap text-xs tabular-nums text-slate-500" dateTime={a.createdAt}>{shortDateTime(a.createdAt, props.timezone)}</time>
            </div>
            <p className="mt-1 text-sm text-slate-700">
              {a.kind === "forecast" ? "Forecast to exceed the limit" : `Passed ${pct(a.threshold)}`}: <Usd value={a.spentUsd} className="font-semibold tabular-nums" /> of{" "}
              <Usd value={a.limitUsd} className="tabular-nums" /> ({pct(a.percent)}) when it fired
              {a.kind === "forecast" && a.projectedAt && <> · limit reached around {shortDateTime(a.projectedAt, props.timezone)}</>}
            </p>
            {!a.notified ? (
              <p className="mt-1 text-xs text-slate-500" data-testid="alert-muted">
                {a.passedWith !== null ? `Passed with ${a.passedWith}% — recorded; that alert's message covered it.` : "Recorded as passed; not sent on its own."}
              </p>
            ) : a.deliveries.length === 0 ? (
              <p className="mt-1 text-xs text-slate-500">Sent nowhere: the budget had no recipients and no webhook.</p>
            ) : (
              <ul className="mt-1 border-l-2 border-slate-100 pl-2">
                {a.deliveries.map((d) => (
                  <DeliveryLine key={d.id} d={d} timezone={props.timezone} orgSlug={props.orgSlug} mayResend={props.mayResend} resend={props.resend} />
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}
