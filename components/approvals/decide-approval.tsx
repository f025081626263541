"use client";

import { useState, useTransition } from "react";
import type { TActionResult } from "@/lib/auth/action";
import { displayUsd } from "@/lib/money";
import { Button } from "@/components/ui/form";

type TDecided = { status: string; resumed: string[]; stillOver: boolean; newLimitUsd: string | null };
type TInput = { approvalId: string; decision: "approve" | "deny"; expires: number; sig: string };

// The confirm button of the decision page: the decision is this POST, never the link's GET (mail
// scanners open links). Says what happened, or why not (already decided, expired).
export function DecideApproval({
  orgSlug,
  input,
  amountUsd,
  decide,
}: {
  orgSlug: string;
  input: TInput;
  amountUsd: string;
  decide: (orgSlug: string, input: TInput) => Promise<TActionResult<TDecided>>;
}) {
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<TActionResult<TDecided> | null>(null);
  const approve = input.decision === "approve";
  if (result?.ok) {
    const d = result.data;
    return (
      <p role="status" data-testid="approval-result" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
        {d.status === "approved"
          ? `Approved. ${d.newLimitUsd ? `Its limit is now ${displayUsd(d.newLimitUsd)}. ` : ""}${
              d.stillOver ? "It had already spent more than that, so it stays blocked." : d.resumed.length ? `Resumed: ${d.resumed.join(", ")}.` : "Nothing was blocked."
            }`
          : "Denied. It stays as it is; the agent sees the answer when it polls."}
      </p>
    );
  }
  return (
    <div className="space-y-3">
      {result && !result.ok && (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700">
          {result.error.message}
        </p>
      )}
      <Button
        variant={approve ? "primary" : "danger"}
        disabled={pending}
        data-testid="approval-confirm"
        onClick={() => startTransition(async () => setResult(await decide(orgSlug, input)))}
      >
        {pending ? "Saving…" : approve ? `Approve ${displayUsd(amountUsd)} more` : "Deny"}
      </Button>
    </div>
  );
}
