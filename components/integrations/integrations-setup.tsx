"use client";

import Form from "next/form";
import { useState, useTransition, type ReactNode } from "react";
import type { TIntegrationStatus } from "@/lib/integrations/last-received";
import type { TIntegrationId, TSnippet } from "@/lib/integrations/snippets";
import type { TCostCenterOption, TIngestKeyOption, TTeamOption } from "@/lib/integrations/setup-options";
import { ErrorMessage, inputClass } from "@/components/ui/form";
import { CodeBlock } from "./code-block";

type TResult<T> = { ok: true; data: T } | { ok: false; error: { message: string; details?: { path: string; message: string }[] } };
export type TIntegrationSection = { id: TIntegrationId; title: string; status: TIntegrationStatus; intro: ReactNode; snippets: TSnippet[]; after?: ReactNode };

const DOT = { live: "bg-emerald-500", stale: "bg-amber-500", never: "bg-slate-300 dark:bg-slate-600" } as const;

export function StatusDot({ state }: { state: TIntegrationStatus["state"] }) {
  return <span aria-hidden className={`inline-block h-2 w-2 shrink-0 rounded-full ${DOT[state]}`} />;
}

// The integrations page's interactive part: which key fills the snippets (an existing key's
// placeholder, or a key issued here whose secret is shown once and filled into every snippet),
// the team / cost center / repository the snippets attribute spend to (in the URL, so the server
// quotes them), and the snippets with their copy buttons.
export function IntegrationsSetup(props: {
  orgSlug: string;
  origin: string;
  keySlot: string;
  noKeyPlaceholder: string;
  keys: TIngestKeyOption[];
  teams: TTeamOption[];
  costCenters: TCostCenterOption[];
  chosen: { team: string | null; costCenter: string | null; repository: string | null };
  sections: TIntegrationSection[];
  mayIssueKeys: boolean;
  issueKey: (orgSlug: string, input: unknown) => Promise<TResult<{ id: string; prefix: string; secret: string }>>;
}) {
  const [fresh, setFresh] = useState<{ id: string; prefix: string; secret: string; name: string } | null>(null);
  const [selectedId, setSelectedId] = useState<string>(props.keys[0]?.id ?? "");
  const [error, setError] = useState<{ message: string; details?: { path: string; message: string }[] } | null>(null);
  const [pending, startTransition] = useTransition();
  const chosenTeam = props.teams.find((t) => t.slug === props.chosen.team) ?? null;
  const chosenCostCenter = props.costCenters.find((c) => c.code === props.chosen.costCenter) ?? null;
  const [keyName, setKeyName] = useState(`${chosenTeam?.slug ?? props.orgSlug} telemetry`);

  // The key just issued is listed first even before the page's list has been refreshed.
  const keys = fresh && !props.keys.some((k) => k.id === fresh.id)
    ? [{ id: fresh.id, name: fresh.name, prefix: fresh.prefix, team: chosenTeam?.slug ?? null, placeholder: "" }, ...props.keys]
    : props.keys;
  const selected = keys.find((k) => k.id === selectedId) ?? null;
  const keyText = fresh && selected?.id === fresh.id ? fresh.secret : selected?.placeholder || props.noKeyPlaceholder;
  const fill = (text: string) => text.replaceAll(props.keySlot, keyText);

  const createKey = () => {
    setError(null);
    startTransition(async () => {
      const name = keyName.trim() || `${props.orgSlug} telemetry`;
      const result = await props.issueKey(props.orgSlug, { name, teamId: chosenTeam?.id, costCenterId: chosenCostCenter?.id, scopes: ["ingest"] });
      if (!result.ok) return setError(result.error);
      setFresh({ ...result.data, name });
      setSelectedId(result.data.id);
    });
  };

  const choose = (e: React.ChangeEvent<HTMLSelectElement>) => e.currentTarget.form?.requestSubmit();

  return (
    <div className="space-y-6">
      <section aria-labelledby="setup-choices" className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-5 dark:border-slate-800 dark:bg-slate-900">
        <h2 id="setup-choices" className="text-base font-semibold text-slate-900 dark:text-slate-50">The key and attribution in every snippet below</h2>
        <div className="mt-3 grid gap-4 lg:grid-cols-2">
          <div className="min-w-0 space-y-2 text-sm">
            <label className="block">
              <span className="font-medium text-slate-700 dark:text-slate-200">Ingest key</span>
              <select
                className={`${inputClass} mt-1`}
                value={selectedId}
                onChange={(e) => setSelectedId(e.target.value)}
                data-testid="key-picker"
              >
                {keys.length === 0 && <option value="">No ingest key yet</option>}
                {keys.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name} ({k.prefix}…){k.team ? ` · ${k.team}` : ""}{fresh?.id === k.id ? " · new" : ""}
                  </option>
                ))}
              </select>
            </label>
            <p className="text-xs text-slate-500 dark:text-slate-400">
              A key&apos;s secret is shown once, when it is issued, and stored only as a hash: the snippets say which key to paste. A key with a team charges
              that team whenever the data names none.
            </p>
            {fresh && selected?.id === fresh.id ? (
              <div role="status" data-testid="fresh-key" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-950 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100">
                <p className="font-semibold">Copy this key now — it will not be shown again.</p>
                <p className="mt-0.5 text-xs">It is filled into every snippet below until you leave this page.</p>
                <code data-testid="fresh-key-secret" className="mt-2 block break-all rounded bg-white px-2 py-1.5 font-mono text-xs select-all dark:bg-slate-950">{fresh.secret}</code>
              </div>
            ) : props.mayIssueKeys ? (
              <div className="flex flex-wrap items-end gap-2 rounded-md border border-dashed border-slate-300 p-3 dark:border-slate-700">
                <label className="min-w-0 flex-1 basis-48">
                  <span className="text-xs font-medium text-slate-600 dark:text-slate-300">New key&apos;s name</span>
                  <input value={keyName} onChange={(e) => setKeyName(e.target.value)} maxLength={100} className={`${inputClass} mt-1`} data-testid="new-key-name" />
                </label>
                <button
                  type="button"
                  onClick={createKey}
                  disabled={pending}
                  data-testid="create-ingest-key"
                  className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500 disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-white"
                >
                  {pending ? "Creating…" : "Create an ingest key for this"}
                </button>
                <p className="w-full text-xs text-slate-500 dark:text-slate-400">
                  Scope <code>ingest</code>{chosenTeam ? <>, team <b>{chosenTeam.slug}</b></> : ""}{chosenCostCenter ? <>, cost center <b>{chosenCostCenter.code}</b></> : ""}; recorded in the audit log.
                </p>
                <div className="w-full"><ErrorMessage error={error} /></div>
              </div>
            ) : (
              <p className="text-xs text-slate-500 dark:text-slate-400">Owners and admins can create a key here; members issue keys for their teams on the Keys page.</p>
            )}
          </div>

          <Form action={`/${props.orgSlug}/integrations`} scroll={false} className="min-w-0 space-y-3 text-sm" data-testid="attribution-form">
            <div className="grid gap-3 sm:grid-cols-2">
              <label className="block min-w-0">
                <span className="font-medium text-slate-700 dark:text-slate-200">Team</span>
                <select name="team" defaultValue={props.chosen.team ?? ""} onChange={choose} className={`${inputClass} mt-1`} data-testid="team-picker">
                  <option value="">The key&apos;s team</option>
                  {props.teams.map((t) => (
                    <option key={t.id} value={t.slug}>{t.name} ({t.slug})</option>
                  ))}
                </select>
              </label>
              <label className="block min-w-0">
                <span className="font-medium text-slate-700 dark:text-slate-200">Cost center</span>
                <select name="cc" defaultValue={props.chosen.costCenter ?? ""} onChange={choose} className={`${inputClass} mt-1`} data-testid="cost-center-picker">
                  <option value="">The team&apos;s</option>
                  {props.costCenters.map((c) => (
                    <option key={c.id} value={c.code}>{c.code} — {c.name}</option>
                  ))}
                </select>
              </label>
            </div>
            <label className="block min-w-0">
              <span className="font-medium text-slate-700 dark:text-slate-200">Repository <span className="font-normal text-slate-500 dark:text-slate-400">(optional)</span></span>
              <div className="mt-1 flex gap-2">
                <input name="repo" defaultValue={props.chosen.repository ?? ""} placeholder="owner/repo" maxLength={256} className={inputClass} data-testid="repository-input" />
                <button type="submit" className="shrink-0 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800">Apply</button>
              </div>
            </label>
            <p className="text-xs text-slate-500 dark:text-slate-400">
              Sent as <code>OTEL_RESOURCE_ATTRIBUTES</code> (or event fields), so every call is charged to this team and cost center.
            </p>
          </Form>
        </div>
      </section>

      {props.sections.map((section) => (
        <section key={section.id} id={section.id} aria-labelledby={`${section.id}-title`} data-testid={`integration-${section.id}`} className="min-w-0 scroll-mt-4 rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
          <header className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 border-b border-slate-100 px-4 py-3 sm:px-5 dark:border-slate-800">
            <h2 id={`${section.id}-title`} className="text-base font-semibold text-slate-900 dark:text-slate-50">{section.title}</h2>
            <p className="flex min-w-0 items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300" title={section.status.title} data-testid={`last-received-${section.id}`}>
              <StatusDot state={section.status.state} />
              <span>Last data received: {section.status.text}</span>
            </p>
          </header>
          <div className="space-y-3 px-4 py-4 text-sm text-slate-700 sm:px-5 dark:text-slate-300">
            <div className="space-y-2">{section.intro}</div>
            <div className="grid gap-3">
              {section.snippets.map((s) => (
                <CodeBlock key={s.id} id={s.id} title={s.title} text={fill(s.text)} />
              ))}
            </div>
            {section.after}
          </div>
        </section>
      ))}
    </div>
  );
}
