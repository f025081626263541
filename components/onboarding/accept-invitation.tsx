"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/form";

export function AcceptInvitation({ token, acceptInvite }: { token: string; acceptInvite: (token: string) => Promise<{ ok: true } | { ok: false; error: { message: string } }> }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="mt-6 space-y-3">
      {error && <p role="alert" className="text-sm text-rose-700">{error}</p>}
      <Button
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await acceptInvite(token);
            if (result && !result.ok) setError(result.error.message);
          })
        }
      >
        {pending ? "Joining…" : "Accept invitation"}
      </Button>
    </div>
  );
}
