"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/form";

type TResult = { ok: true } | { ok: false; error: { message: string } };

export function RevokeInvitationButton(props: { orgSlug: string; invitationId: string; email: string; revokeInvitation: (orgSlug: string, input: unknown) => Promise<TResult> }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <Button
        variant="danger"
        disabled={pending}
        data-testid="invitation-revoke"
        onClick={() => {
          if (!window.confirm(`Withdraw the invitation to ${props.email}? The link stops working at once.`)) return;
          startTransition(async () => {
            const result = await props.revokeInvitation(props.orgSlug, { invitationId: props.invitationId });
            if (!result.ok) setError(result.error.message);
          });
        }}
      >
        {pending ? "Withdrawing…" : "Withdraw"}
      </Button>
      {error && <span role="alert" className="ml-2 text-xs text-rose-700">{error}</span>}
    </>
  );
}
