"use client";

import { useRef, useState, useTransition } from "react";
import { Button, ErrorMessage, Field, inputClass } from "@/components/ui/form";
import type { TAction, TActionError } from "@/components/ui/action";

export function CostCenterCreateForm(props: { orgSlug: string; createCostCenter: TAction<string> }) {
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
        const input = { code: form.get("code"), name: form.get("name"), ownerEmail: form.get("ownerEmail") ?? "" };
        startTransition(async () => {
          const result = await props.createCostCenter(props.orgSlug, input);
          if (result.ok) {
            setCreated(String(input.code));
            formRef.current?.reset();
          } else setError(result.error);
        });
      }}
    >
      <Field label="Code" hint="As finance knows it, e.g. “CC-1042”. Events may send it as cost_center.">
        <input
          name="code"
          required
          maxLength={32}
          pattern="[A-Za-z0-9][A-Za-z0-9\-_.]*"
          title="letters, digits, - _ ."
          placeholder="CC-1042"
          autoComplete="off"
          className={`${inputClass} font-mono`}
          data-testid="cost-center-code"
        />
      </Field>
      <Field label="Name">
        <input name="name" required maxLength={100} placeholder="R&D platform" className={inputClass} data-testid="cost-center-name" />
      </Field>
      <Field label="Owner email" hint="Optional; who answers for this spend">
        <input name="ownerEmail" type="email" maxLength={254} placeholder="lead@example.com" className={inputClass} data-testid="cost-center-owner" />
      </Field>
      <div className="space-y-3 sm:col-span-3">
        <ErrorMessage error={error} />
        {created && (
          <p role="status" className="text-sm text-emerald-700">
            Cost center <span className="font-mono">{created}</span> created. Assign teams to it on the Teams page.
          </p>
        )}
        <Button type="submit" disabled={pending} data-testid="cost-center-submit">{pending ? "Creating…" : "Create cost center"}</Button>
      </div>
    </form>
  );
}
