"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button, ErrorMessage } from "@/components/ui/form";
import type { TAction, TActionError } from "@/components/ui/action";

export function LeaveOrgButton(props: { orgSlug: string; orgName: string; blockedReason: string | null; leaveOrg: TAction<null> }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<TActionError | null>(null);

  return (
    <div className="space-y-3 p-3">
      <p className="text-sm text-slate-600">
        You lose access to {props.orgName} at once; someone has to invite you again to come back. Keys you issued keep working until an admin revokes them.
      </p>
      {props.blockedReason && <p className="text-sm text-amber-800">{props.blockedReason}</p>}
      <ErrorMessage error={error} />
      <Button
        variant="danger"
        disabled={pending || props.blockedReason !== null}
        data-testid="leave-org"
        onClick={() => {
          if (!window.confirm(`Leave ${props.orgName}?`)) return;
          setError(null);
          startTransition(async () => {
            const result = await props.leaveOrg(props.orgSlug, {});
            if (result.ok) router.replace("/");
            else setError(result.error);
          });
        }}
      >
        {pending ? "Leaving…" : "Leave organization"}
      </Button>
    </div>
  );
}
