"use client";

import { useState } from "react";
import { useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { Button } from "@/components/ui/form";

// Acknowledge ("I have seen it") and Resume (let the blocked execution run again), each a form so
// they work from the keyboard and read as what they are. The page refreshes after the action.
export function AcknowledgeButton(props: { orgSlug: string; anomalyId: string; acknowledge: TAction }) {
  const [error, setError] = useState<TActionError | null>(null);
  const [pending, run] = useActionRunner(setError);
  return (
    <form action={() => run(() => props.acknowledge(props.orgSlug, { anomalyId: props.anomalyId }))} className="inline-flex flex-wrap items-center gap-2">
      <Button type="submit" variant="secondary" className="px-2.5 py-1 text-xs" disabled={pending} data-testid="anomaly-acknowledge">
        {pending ? "Acknowledging…" : "Acknowledge"}
      </Button>
      {error && <span role="alert" className="text-xs text-rose-700 dark:text-rose-300">{error.message}</span>}
    </form>
  );
}

// size "md" (the execution's own page) also offers a new limit for the execution, optional.
export function ResumeButton(props: { orgSlug: string; executionId: string; resume: TAction<{ resumed: boolean; resolvedAnomalies: number }>; size?: "sm" | "md" }) {
  const [error, setError] = useState<TActionError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, run] = useActionRunner(setError);
  return (
    <form
      action={(form: FormData) => {
        const limit = String(form.get("limitUsd") ?? "").trim();
        return run(
          () => props.resume(props.orgSlug, { executionId: props.executionId, ...(limit ? { limitUsd: limit } : {}) }),
          (data) => setDone(data.resumed ? (limit ? `Resumed, with a limit of $${limit}.` : "Resumed.") : "It was no longer blocked."),
        );
      }}
      className="inline-flex flex-wrap items-center gap-2"
    >
      {props.size === "md" && (
        <label className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300">
          New limit $
          <input
            name="limitUsd"
            inputMode="decimal"
            placeholder="optional"
            aria-label="New limit for this execution in USD (optional)"
            className="w-24 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
            data-testid="execution-resume-limit"
          />
        </label>
      )}
      <Button type="submit" className={props.size === "md" ? "" : "px-2.5 py-1 text-xs"} disabled={pending} data-testid="execution-resume" title={`Let ${props.executionId} run again; its open anomalies are resolved`}>
        {pending ? "Resuming…" : "Resume execution"}
      </Button>
      {done && <span role="status" className="text-xs text-emerald-700 dark:text-emerald-300">{done}</span>}
      {error && <span role="alert" className="text-xs text-rose-700 dark:text-rose-300">{error.message}</span>}
    </form>
  );
}
