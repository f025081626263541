"use client";

import { useActionState, useState } from "react";
import { Button, Field, inputClass } from "@/components/ui/form";

type TState = { error?: string; details?: { path: string; message: string }[] };
type TResult = { ok: true } | { ok: false; error: { message: string; details?: { path: string; message: string }[] } };

const slugify = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48);

// slugPattern comes from the server (lib/orgs/create.ts), so browser and server check the same rule.
export function OnboardingForm({ createOrganization, slugPattern }: { createOrganization: (form: FormData) => Promise<TResult>; slugPattern: string }) {
  const [state, action, pending] = useActionState(async (_prev: TState, form: FormData): Promise<TState> => {
    const result = await createOrganization(form);
    return result.ok ? {} : { error: result.error.message, details: result.error.details };
  }, {});
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  // The browser's zone is the best first guess (the server renders UTC; hydration fills it in).
  const [timezone, setTimezone] = useState(() => (typeof window === "undefined" ? "UTC" : Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"));
  return (
    <form action={action} className="mt-6 space-y-4">
      <Field label="Organization name">
        <input name="name" required value={name} onChange={(e) => { setName(e.target.value); if (!slugEdited) setSlug(slugify(e.target.value)); }} className={inputClass} placeholder="Acme Inc." />
      </Field>
      <Field label="Address" hint={`burnrate/${slug || "your-org"}`}>
        <input name="slug" required value={slug} onChange={(e) => { setSlug(e.target.value); setSlugEdited(true); }} className={inputClass} pattern={slugPattern} title="lowercase letters, digits and dashes" />
      </Field>
      <Field label="Time zone" hint="Days and months of budgets and reports follow it">
        <input name="timezone" required suppressHydrationWarning value={timezone} onChange={(e) => setTimezone(e.target.value)} className={inputClass} />
      </Field>
      {state.error && (
        <div role="alert" className="text-sm text-rose-700">
          <p>{state.error}</p>
          {state.details?.map((d) => <p key={d.path}>{d.path}: {d.message}</p>)}
        </div>
      )}
      <Button type="submit" disabled={pending} className="w-full">{pending ? "Creating…" : "Create organization"}</Button>
    </form>
  );
}
