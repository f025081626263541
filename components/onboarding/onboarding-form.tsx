"use client";

import { useActionState, useState } from "react";
import { Button, Field, inputClass } from "@/components/ui/form";

type TState = { error?: string };

const slugify = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48);

export function OnboardingForm({ createOrganization }: { createOrganization: (state: TState, form: FormData) => Promise<TState | { ok: false; error: { message: string } }> }) {
  const [state, action, pending] = useActionState(async (prev: TState, form: FormData) => {
    const result = await createOrganization(prev, form);
    return "ok" in result ? { error: result.error.message } : result;
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
        <input name="slug" required value={slug} onChange={(e) => { setSlug(e.target.value); setSlugEdited(true); }} className={inputClass} pattern="[a-z0-9](?:[a-z0-9-]*[a-z0-9])?" />
      </Field>
      <Field label="Time zone" hint="Days and months of budgets and reports follow it">
        <input name="timezone" required suppressHydrationWarning value={timezone} onChange={(e) => setTimezone(e.target.value)} className={inputClass} />
      </Field>
      {state.error && <p role="alert" className="text-sm text-rose-700">{state.error}</p>}
      <Button type="submit" disabled={pending} className="w-full">{pending ? "Creating…" : "Create organization"}</Button>
    </form>
  );
}
