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

export function ResumeButton(props: { orgSlug: string; executionId: string; resume: TAction<{ resumed: boolean; resolvedAnomalies: number }>; size?: "sm" | "md" }) {
  const [error, setError] = useState<TActionError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, run] = useActionRunner(setError);
  return (
    <form
      action={() =>
        run(
          () => props.resume(props.orgSlug, { executionId: props.executionId }),
          (data) => setDone(data.resumed ? "Resumed." : "It was no longer blocked."),
        )
      }
      className="inline-flex flex-wrap items-center gap-2"
    >
      <Button type="submit" className={props.size === "md" ? "" : "px-2.5 py-1 text-xs"} disabled={pending} data-testid="execution-resume" title={`Let ${props.executionId} run again; its open anomalies are resolved`}>
        {pending ? "Resuming…" : "Resume execution"}
      </Button>
      {done && <span role="status" className="text-xs text-emerald-700 dark:text-emerald-300">{done}</span>}
      {error && <span role="alert" className="text-xs text-rose-700 dark:text-rose-300">{error.message}</span>}
    </form>
  );
}
