"use client";

import Link from "next/link";
import { useRef, useState, useTransition } from "react";
import { Button, ErrorMessage, Field, inputClass } from "@/components/ui/form";
import type { TAction, TActionError } from "@/components/ui/action";

export function TeamCreateForm(props: {
  orgSlug: string;
  costCenters: { id: string; code: string; name: string }[];
  createTeam: TAction<string>;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<TActionError | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  return (
    <form
      ref={formRef}
      className="grid gap-4 p-3 sm:grid-cols-3"
      action={(form) => {
        setError(null);
        setCreated(null);
        const input = { slug: form.get("slug"), name: form.get("name"), costCenterId: form.get("costCenterId") || undefined };
        startTransition(async () => {
          const result = await props.createTeam(props.orgSlug, input);
          if (result.ok) {
            setCreated(String(input.slug));
            formRef.current?.reset();
          } else setError(result.error);
        });
      }}
    >
      <Field label="Slug" hint="What agents send as team, e.g. “platform”. Cannot change later.">
        <input
          name="slug"
          required
          maxLength={64}
          pattern="[a-z0-9][a-z0-9\-_]*"
          title="lowercase letters, digits, - and _"
          placeholder="platform"
          autoComplete="off"
          className={`${inputClass} font-mono`}
          data-testid="team-slug"
        />
      </Field>
      <Field label="Name" hint="Shown in reports">
        <input name="name" required maxLength={100} placeholder="Platform engineering" className={inputClass} data-testid="team-name" />
      </Field>
      <Field label="Cost center" hint={props.costCenters.length ? "Where its spend is charged back" : undefined}>
        <select name="costCenterId" className={inputClass} defaultValue="" data-testid="team-cost-center">
          <option value="">No cost center</option>
          {props.costCenters.map((c) => (
            <option key={c.id} value={c.id}>{c.code} — {c.name}</option>
          ))}
        </select>
        {props.costCenters.length === 0 && (
          <span className="mt-1 block text-xs text-slate-500">
            None yet — <Link className="text-orange-700 underline" href={`/${props.orgSlug}/cost-centers`}>create a cost center</Link> to charge spend back.
          </span>
        )}
      </Field>
      <div className="space-y-3 sm:col-span-3">
        <ErrorMessage error={error} />
        {created && (
          <p role="status" className="text-sm text-emerald-700">
            Team <span className="font-mono">{created}</span> created. Send events with <code className="rounded bg-slate-100 px-1">&quot;team&quot;: &quot;{created}&quot;</code> or issue a key for it.
          </p>
        )}
        <Button type="submit" disabled={pending} data-testid="team-submit">{pending ? "Creating…" : "Create team"}</Button>
      </div>
    </form>
  );
}
