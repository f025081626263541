"use client";

import { useActionState } from "react";
import { Button, Field, inputClass } from "@/components/ui/form";

type TState = { error?: string; email?: string };

export function SignInForm({ callbackUrl, requestMagicLink }: { callbackUrl: string; requestMagicLink: (state: TState, form: FormData) => Promise<TState> }) {
  const [state, action, pending] = useActionState(requestMagicLink, {});
  return (
    <form action={action} className="mt-6 space-y-4">
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field label="Work email" error={state.error}>
        <input name="email" type="email" required autoComplete="email" defaultValue={state.email} className={inputClass} placeholder="you@company.com" />
      </Field>
      <Button type="submit" disabled={pending} className="w-full">{pending ? "Sending…" : "Email me a sign-in link"}</Button>
    </form>
  );
}
