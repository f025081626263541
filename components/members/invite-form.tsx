"use client";

import { useRef, useState, useTransition } from "react";
import { Button, ErrorMessage, Field, inputClass } from "@/components/ui/form";
import type { TAction, TActionError } from "@/components/ui/action";
import { ROLE_HINT, ROLE_LABEL, type Role } from "./roles";

export function InviteForm(props: { orgSlug: string; assignableRoles: Role[]; ttlDays: number; inviteMember: TAction<string> }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<TActionError | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [role, setRole] = useState<Role>("MEMBER");

  return (
    <form
      ref={formRef}
      className="grid gap-4 p-3 sm:grid-cols-[2fr_1fr_auto] sm:items-start"
      action={(form) => {
        setError(null);
        setSent(null);
        const input = { email: String(form.get("email") ?? "").trim(), role: form.get("role") };
        startTransition(async () => {
          const result = await props.inviteMember(props.orgSlug, input);
          if (result.ok) {
            setSent(input.email);
            formRef.current?.reset();
            setRole("MEMBER");
          } else setError(result.error);
        });
      }}
    >
      <Field label="Email" hint={`They get a link by email, valid for ${props.ttlDays} days`}>
        <input name="email" type="email" required maxLength={254} placeholder="teammate@example.com" autoComplete="off" className={inputClass} data-testid="invite-email" />
      </Field>
      <Field label="Role" hint={ROLE_HINT[role]}>
        <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)} className={inputClass} data-testid="invite-role">
          {props.assignableRoles.map((r) => (
            <option key={r} value={r}>{ROLE_LABEL[r]}</option>
          ))}
        </select>
      </Field>
      <div className="sm:pt-6">
        <Button type="submit" disabled={pending} data-testid="invite-submit">{pending ? "Sending…" : "Send invitation"}</Button>
      </div>
      <div className="space-y-2 sm:col-span-3">
        <ErrorMessage error={error} />
        {sent && (
          <p role="status" className="text-sm text-emerald-700" data-testid="invite-sent">
            Invited {sent}. The email is queued and leaves in a moment; its delivery shows under Pending invitations.
          </p>
        )}
      </div>
    </form>
  );
}
