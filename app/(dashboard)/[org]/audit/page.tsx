import type { Metadata } from "next";
import Link from "next/link";
import { auditEntries, decodeAuditCursor, encodeAuditCursor } from "@/lib/audit/log";
import { requireOrgPage } from "@/lib/auth/session";
import { prisma } from "@/lib/db";
import { listCostCenters, listTeams } from "@/lib/teams/manage";
import { Card } from "@/components/ui/card";
import { AuditTable, type TAuditRow } from "@/components/audit/audit-table";
import type { TAuditLookup } from "@/components/audit/describe";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 100;

export default async function AuditPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<{ before?: string | string[] }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  const before = decodeAuditCursor((await searchParams).before);

  const entries = await auditEntries(org.id, { limit: PAGE_SIZE, before });
  const idsOf = (type: string) => [...new Set(entries.filter((e) => e.targetType === type && e.targetId).map((e) => e.targetId as string))];
  const [teams, costCenters, keys, memberships] = await Promise.all([
    listTeams(org.id),
    listCostCenters(org.id),
    prisma().virtualKey.findMany({ where: { orgId: org.id, id: { in: idsOf("VirtualKey") } }, select: { id: true, name: true, prefix: true } }),
    prisma().membership.findMany({ where: { orgId: org.id, id: { in: idsOf("Membership") } }, select: { id: true, user: { select: { email: true } } } }),
  ]);
  const lookup: TAuditLookup = {
    teams: new Map(teams.map((t) => [t.id, t.slug])),
    costCenters: new Map(costCenters.map((c) => [c.id, c.code])),
    keys: new Map(keys.map((k) => [k.id, { name: k.name, prefix: k.prefix }])),
    members: new Map(memberships.filter((m) => m.user.email).map((m) => [m.id, m.user.email as string])),
    orgSlug: org.slug,
  };
  const rows: TAuditRow[] = entries.map((e) => ({
    id: e.id,
    createdAt: e.createdAt.toISOString(),
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    details: e.details,
    actorId: e.actorId,
    actorKnown: e.actor !== null,
    actorEmail: e.actor?.email ?? e.actor?.name ?? null,
  }));
  const oldest = entries.at(-1);

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Audit log</h1>
        <p className="text-sm text-slate-500">
          Every change to keys, teams, cost centers, members and alert settings, newest first · times in {org.timezone}.
          {before && (
            <>
              {" "}Showing entries before {new Intl.DateTimeFormat("en-US", { timeZone: org.timezone, dateStyle: "medium", timeStyle: "short" }).format(before.createdAt)} ·{" "}
              <Link href={`/${slug}/audit`} className="text-orange-700 underline">back to newest</Link>
            </>
          )}
        </p>
      </header>
      <Card title={before ? "Older entries" : "Latest entries"}>
        <AuditTable entries={rows} lookup={lookup} timezone={org.timezone} />
        {entries.length === PAGE_SIZE && oldest && (
          <div className="border-t border-slate-100 px-3 py-3 text-sm">
            <Link href={`/${slug}/audit?before=${encodeURIComponent(encodeAuditCursor(oldest))}`} className="text-orange-700 underline" data-testid="audit-older">
              Older entries →
            </Link>
          </div>
        )}
      </Card>
    </main>
  );
}
