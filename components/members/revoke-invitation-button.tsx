"use client";

import { useState } from "react";
import { ConfirmButton, useActionRunner, type TAction, type TActionError } from "@/components/ui/action";

export function RevokeInvitationButton(props: { orgSlug: string; invitationId: string; email: string; revokeInvitation: TAction<null> }) {
  const [error, setError] = useState<TActionError | null>(null);
  const [pending, run] = useActionRunner(setError);
  return (
    <>
      <ConfirmButton
        disabled={pending}
        testId="invitation-revoke"
        question={`Withdraw the invitation to ${props.email}? The link stops working at once.`}
        onConfirm={() => run(() => props.revokeInvitation(props.orgSlug, { invitationId: props.invitationId }))}
      >
        {pending ? "Withdrawing…" : "Withdraw"}
      </ConfirmButton>
      {error && <span role="alert" className="ml-2 text-xs text-rose-700">{error.message}</span>}
    </>
  );
}
