import type { Metadata } from "next";
import { headers } from "next/headers";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { integrationStatus, lastReceived } from "@/lib/integrations/last-received";
import { instanceOrigin } from "@/lib/integrations/origin";
import { attributionOptions, ingestKeyOptions, parseSetupSearch } from "@/lib/integrations/setup-options";
import { buildSnippets, KEY_SLOT, NO_KEY_PLACEHOLDER, type TIntegrationId } from "@/lib/integrations/snippets";
import { IntegrationsSetup } from "@/components/integrations/integrations-setup";
import { AttributionNote, integrationSections, IntegrationsOverview } from "@/components/integrations/sections";
import { issueKey } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Integrations" };

export default async function IntegrationsPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const now = new Date();
  const [keys, options, received] = await Promise.all([ingestKeyOptions(org.id, now), attributionOptions(org.id), lastReceived(org.id)]);
  const chosen = parseSetupSearch(await searchParams, options);
  const origin = instanceOrigin(env().APP_URL, await headers(), env().PORT);
  const snippets = buildSnippets({ origin, key: KEY_SLOT, team: chosen.team?.slug, costCenter: chosen.costCenter?.code, repository: chosen.repository });
  const statuses = Object.fromEntries(
    (Object.keys(received) as TIntegrationId[]).map((id) => [id, integrationStatus(received[id], now, org.timezone, id !== "events_api")]),
  ) as Record<TIntegrationId, ReturnType<typeof integrationStatus>>;

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 text-slate-900 sm:px-6 sm:py-8 dark:text-slate-100">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Integrations</h1>
        <p className="text-sm text-slate-500 dark:text-slate-400">
          Send usage from coding agents, OpenTelemetry and your own code to this Burnrate at <code data-testid="instance-origin" className="font-mono">{origin}</code>. Every snippet below is ready to paste.
        </p>
      </header>
      <IntegrationsOverview statuses={statuses} />
      <IntegrationsSetup
        orgSlug={org.slug}
        origin={origin}
        keySlot={KEY_SLOT}
        noKeyPlaceholder={NO_KEY_PLACEHOLDER}
        keys={keys}
        teams={options.teams}
        costCenters={options.costCenters}
        chosen={{ team: chosen.team?.slug ?? null, costCenter: chosen.costCenter?.code ?? null, repository: chosen.repository }}
        sections={integrationSections(snippets, statuses, origin)}
        mayIssueKeys={can(access.role, "key.manage")}
        issueKey={issueKey}
      />
      <AttributionNote />
    </main>
  );
}
