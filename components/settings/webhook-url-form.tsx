"use client";

import { useState } from "react";
import { useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { Button, ErrorMessage, Field, inputClass } from "@/components/ui/form";

type TSaved = { webhookUrl: string | null; slack: boolean };

// The org's default alert webhook: set, replace or remove (owners and admins).
export function WebhookUrlForm(props: { orgSlug: string; url: string | null; setWebhook: TAction<TSaved> }) {
  const [error, setError] = useState<TActionError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, run] = useActionRunner(setError);
  const save = (url: string) =>
    run(
      () => props.setWebhook(props.orgSlug, { url }),
      (data) => setSaved(data.webhookUrl ? `Saved${data.slack ? " — Slack's message format will be used" : ""}.` : "Removed: alerts go by email only."),
    );
  return (
    <form
      className="space-y-3 p-3"
      action={(form) => {
        setSaved(null);
        save(String(form.get("url") ?? ""));
      }}
    >
      <Field
        label="Default webhook URL"
        hint="Budgets that name no webhook of their own POST their alerts here. https:// only. A Slack incoming-webhook URL (https://hooks.slack.com/services/…) gets a Slack message."
        error={error?.details?.find((d) => d.path === "url")?.message}
      >
        <input
          name="url"
          type="url"
          defaultValue={props.url ?? ""}
          maxLength={2048}
          placeholder="https://example.com/hooks/burnrate"
          autoComplete="off"
          spellCheck={false}
          className={`${inputClass} font-mono`}
          data-testid="webhook-url"
        />
      </Field>
      {error && !error.details?.some((d) => d.path === "url") && <ErrorMessage error={error} />}
      {saved && (
        <p role="status" className="text-sm text-emerald-700" data-testid="webhook-saved">
          {saved}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={pending} data-testid="webhook-save">{pending ? "Saving…" : "Save"}</Button>
        {props.url && (
          <Button type="button" variant="secondary" disabled={pending} onClick={() => save("")} data-testid="webhook-remove">
            Remove
          </Button>
        )}
      </div>
    </form>
  );
}
