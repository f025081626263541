"use client";

import { useState, useTransition } from "react";
import { Button, ErrorMessage, Field, inputClass } from "@/components/ui/form";
import { SecretReveal } from "./secret-reveal";

type TResult<T> = { ok: true; data: T } | { ok: false; error: { message: string; details?: { path: string; message: string }[] } };

export function IssueKeyForm(props: {
  orgSlug: string;
  teams: { id: string; slug: string; name: string }[];
  costCenters: { id: string; code: string; name: string }[];
  teamRequired: boolean;
  issueKey: (orgSlug: string, input: unknown) => Promise<TResult<{ id: string; prefix: string; secret: string }>>;
}) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<{ message: string; details?: { path: string; message: string }[] } | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  if (secret) return <SecretReveal secret={secret} onDone={() => setSecret(null)} />;

  return (
    <form
      className="grid gap-4 p-3 sm:grid-cols-2"
      action={(form) => {
        setError(null);
        const input = {
          name: form.get("name"),
          teamId: form.get("teamId") || undefined,
          costCenterId: form.get("costCenterId") || undefined,
          scopes: form.getAll("scopes"),
          expiresInDays: form.get("expiresInDays") || 0,
          allowedModels: String(form.get("allowedModels") ?? "").split(",").map((m) => m.trim()).filter(Boolean),
          rpmLimit: form.get("rpmLimit") || 0,
          defaultAgent: form.get("defaultAgent") || undefined,
        };
        startTransition(async () => {
          const result = await props.issueKey(props.orgSlug, input);
          if (result.ok) setSecret(result.data.secret);
          else setError(result.error);
        });
      }}
    >
      <Field label="Name" hint="What uses it, e.g. “ci-agents” or “pr-reviewer prod”">
        <input name="name" required maxLength={100} className={inputClass} />
      </Field>
      <Field label="Team" hint={props.teamRequired ? "Keys you issue belong to one of your teams" : "Spend without a team slug lands here"}>
        <select name="teamId" required={props.teamRequired} className={inputClass} defaultValue="">
          <option value="">{props.teamRequired ? "Choose a team" : "No team"}</option>
          {props.teams.map((t) => (
            <option key={t.id} value={t.id}>{t.name} ({t.slug})</option>
          ))}
        </select>
      </Field>
      <Field label="Cost center" hint="Optional; otherwise the team's">
        <select name="costCenterId" className={inputClass} defaultValue="">
          <option value="">From the team</option>
          {props.costCenters.map((c) => (
            <option key={c.id} value={c.id}>{c.code} — {c.name}</option>
          ))}
        </select>
      </Field>
      <fieldset className="text-sm">
        <legend className="font-medium text-slate-700">Scopes</legend>
        <label className="mr-4 inline-flex items-center gap-1.5"><input type="checkbox" name="scopes" value="ingest" defaultChecked /> ingest (send usage)</label>
        <label className="mr-4 inline-flex items-center gap-1.5"><input type="checkbox" name="scopes" value="read" /> read (spend reports)</label>
        <label className="inline-flex items-center gap-1.5"><input type="checkbox" name="scopes" value="gateway" /> gateway (LLM calls on the org&apos;s provider account)</label>
      </fieldset>
      <Field label="Expires in (days)" hint="0 = never">
        <input name="expiresInDays" type="number" min={0} max={3650} defaultValue={0} className={inputClass} />
      </Field>
      <Field label="Requests per minute" hint="0 = no limit">
        <input name="rpmLimit" type="number" min={0} defaultValue={0} className={inputClass} />
      </Field>
      <Field label="Allowed models" hint="Comma-separated; empty = any (enforced by the gateway)">
        <input name="allowedModels" className={inputClass} placeholder="gpt-4o-mini, claude-3-5-haiku-20241022" />
      </Field>
      <Field label="Default agent" hint="Used when an event names no agent">
        <input name="defaultAgent" maxLength={256} className={inputClass} />
      </Field>
      <div className="sm:col-span-2 space-y-3">
        <ErrorMessage error={error} />
        <Button type="submit" disabled={pending}>{pending ? "Issuing…" : "Issue key"}</Button>
      </div>
    </form>
  );
}
