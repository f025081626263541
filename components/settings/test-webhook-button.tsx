"use client";

import { useState } from "react";
import { useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { Button, ErrorMessage } from "@/components/ui/form";

import type { TTestWebhookResult } from "@/lib/alerts/settings";

// POSTs a sample signed alert to the saved URL now and shows what the receiver answered.
export function TestWebhookButton(props: { orgSlug: string; disabled: boolean; sendTest: TAction<TTestWebhookResult> }) {
  const [error, setError] = useState<TActionError | null>(null);
  const [result, setResult] = useState<TTestWebhookResult | null>(null);
  const [pending, run] = useActionRunner(setError);
  return (
    <div className="space-y-3 p-3">
      <p className="text-sm text-slate-600">
        Sends a sample <code className="rounded bg-slate-100 px-1 text-xs">budget.threshold_reached</code> event (its id starts with{" "}
        <code className="rounded bg-slate-100 px-1 text-xs">test_</code>), signed like every alert, to the saved URL — and shows the answer.
      </p>
      <Button
        type="button"
        variant="secondary"
        disabled={pending || props.disabled}
        title={props.disabled ? "Save a webhook URL first" : undefined}
        data-testid="webhook-test"
        onClick={() => {
          setResult(null);
          run(() => props.sendTest(props.orgSlug, {}), setResult);
        }}
      >
        {pending ? "Sending…" : "Send test webhook"}
      </Button>
      <ErrorMessage error={error} />
      {result && (
        <div
          role="status"
          data-testid="webhook-test-result"
          data-ok={result.ok}
          className={`rounded-md border px-3 py-2 text-sm ${result.ok ? "border-emerald-200 bg-emerald-50 text-emerald-800" : "border-rose-200 bg-rose-50 text-rose-800"}`}
        >
          <div className="font-medium">
            {result.status !== null ? `HTTP ${result.status}` : "No answer"} in {result.ms} ms {result.ok ? "— delivered" : "— not accepted"}
          </div>
          <div className="mt-0.5 break-all font-mono text-xs opacity-80">{result.url}</div>
          {(result.answer || result.error) && <div className="mt-1 break-words text-xs">{result.error ?? `Answered: ${result.answer}`}</div>}
        </div>
      )}
    </div>
  );
}
