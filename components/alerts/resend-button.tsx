"use client";

import { useState } from "react";
import { useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { Button } from "@/components/ui/form";

// Re-queues one failed delivery (owners and admins). The page refreshes after the action, showing
// the delivery queued and then, once the sender has run, sent or failed again.
export function ResendButton(props: { orgSlug: string; channel: "email" | "webhook"; id: string; target: string; resend: TAction<{ target: string }> }) {
  const [error, setError] = useState<TActionError | null>(null);
  const [done, setDone] = useState(false);
  const [pending, run] = useActionRunner(setError);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        type="button"
        variant="secondary"
        className="px-2 py-0.5 text-xs"
        disabled={pending || done}
        data-testid="delivery-resend"
        title={`Send this ${props.channel} to ${props.target} once more`}
        onClick={() => run(() => props.resend(props.orgSlug, { channel: props.channel, id: props.id }), () => setDone(true))}
      >
        {pending ? "Resending…" : done ? "Re-queued" : "Resend"}
      </Button>
      {error && <span role="alert" className="text-xs text-rose-700">{error.message}</span>}
    </span>
  );
}
