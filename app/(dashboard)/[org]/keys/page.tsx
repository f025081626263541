import type { Metadata } from "next";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { listKeys } from "@/lib/keys/manage";
import { prisma } from "@/lib/db";
import { Card } from "@/components/ui/card";
import { IssueKeyForm } from "@/components/keys/issue-key-form";
import { KeyTable } from "@/components/keys/key-table";
import { issueKey, revokeKey, rotateKey } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Keys" };

export default async function KeysPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const mayManageAll = can(access.role, "key.manage");
  const mayIssue = can(access.role, "key.issue-own-team");
  const [keys, teams, costCenters, myTeams] = await Promise.all([
    listKeys(access.org),
    prisma().team.findMany({ where: { orgId: access.org.id, archivedAt: null }, orderBy: { slug: "asc" }, select: { id: true, slug: true, name: true } }),
    prisma().costCenter.findMany({ where: { orgId: access.org.id, archivedAt: null }, orderBy: { code: "asc" }, select: { id: true, code: true, name: true } }),
    prisma().teamMember.findMany({ where: { orgId: access.org.id, membershipId: access.membershipId }, select: { teamId: true } }),
  ]);
  const myTeamIds = new Set(myTeams.map((t) => t.teamId));
  const issuableTeams = mayManageAll ? teams : teams.filter((t) => myTeamIds.has(t.id));

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Virtual keys</h1>
        <p className="text-sm text-slate-500">
          Agents report usage with these keys, or send their LLM calls through the gateway (a key with the gateway scope). A secret is shown once, when it is issued; only its hash is stored.
        </p>
      </header>
      {mayIssue && (
        <Card title="Issue a key">
          <IssueKeyForm orgSlug={slug} teams={issuableTeams} costCenters={costCenters} teamRequired={!mayManageAll} issueKey={issueKey} />
        </Card>
      )}
      <Card title={`Keys (${keys.length})`}>
        <KeyTable
          orgSlug={slug}
          timezone={access.org.timezone}
          keys={keys}
          manageableTeamIds={mayManageAll ? null : [...myTeamIds]}
          mayManage={mayIssue}
          revokeKey={revokeKey}
          rotateKey={rotateKey}
        />
      </Card>
    </main>
  );
}
