"use client";

import { useState } from "react";
import { ConfirmButton, useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { Button, ErrorMessage } from "@/components/ui/form";

// The webhook signing secret: revealed on request (owners and admins), rotated after a warning.
export function SigningSecret(props: { orgSlug: string; reveal: TAction<string>; rotate: TAction<string> }) {
  const [error, setError] = useState<TActionError | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [rotated, setRotated] = useState(false);
  const [copied, setCopied] = useState(false);
  const [pending, run] = useActionRunner(setError);
  return (
    <div className="space-y-3 p-3">
      {secret ? (
        <div className="flex flex-wrap items-center gap-2">
          <code data-testid="webhook-secret" className="min-w-0 flex-1 select-all break-all rounded bg-slate-100 px-2 py-1.5 font-mono text-sm">
            {secret}
          </code>
          <Button
            type="button"
            variant="secondary"
            onClick={async () => {
              await navigator.clipboard?.writeText(secret).catch(() => undefined);
              setCopied(true);
            }}
          >
            {copied ? "Copied" : "Copy"}
          </Button>
          <Button type="button" variant="secondary" onClick={() => setSecret(null)}>
            Hide
          </Button>
        </div>
      ) : (
        <Button type="button" variant="secondary" disabled={pending} data-testid="webhook-secret-reveal" onClick={() => run(() => props.reveal(props.orgSlug, {}), setSecret)}>
          Reveal secret
        </Button>
      )}
      {rotated && (
        <p role="status" className="text-sm text-amber-800" data-testid="webhook-secret-rotated">
          New secret in use from now on. Update your receivers: they reject webhooks signed with it until they have it.
        </p>
      )}
      <ErrorMessage error={error} />
      <div>
        <ConfirmButton
          disabled={pending}
          testId="webhook-secret-rotate"
          question="Rotate the signing secret? Every webhook from now on is signed with the new one: receivers still using the current secret will reject them until you update them."
          onConfirm={() =>
            run(
              () => props.rotate(props.orgSlug, {}),
              (fresh) => {
                setSecret(fresh);
                setRotated(true);
                setCopied(false);
              },
            )
          }
        >
          Rotate secret…
        </ConfirmButton>
      </div>
    </div>
  );
}
