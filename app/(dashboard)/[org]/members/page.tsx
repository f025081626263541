import type { Metadata } from "next";
import { can, ROLES } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { INVITATION_TTL_DAYS, listMembers } from "@/lib/orgs/members";
import { listTeams } from "@/lib/teams/manage";
import { Card } from "@/components/ui/card";
import { InvitationList } from "@/components/members/invitation-list";
import { InviteForm } from "@/components/members/invite-form";
import { LeaveOrgButton } from "@/components/members/leave-org-button";
import { MemberTable, type TMemberRow, type TTeamOption } from "@/components/members/member-table";
import { leaveOrg } from "../actions";
import { changeRole, inviteMember, removeMember, revokeInvitation, setMemberTeams } from "./actions";

export const dynamic = "force-dynamic";

const DELIVERY_STATE = { PENDING: "queued", SENT: "sent", FAILED: "failed" } as const;
export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const mayManage = can(access.role, "member.manage");
  const [{ members, invitations }, teams] = await Promise.all([listMembers(org.id), listTeams(org.id)]);
  const now = new Date().getTime();

  const joined = new Intl.DateTimeFormat("en-US", { timeZone: org.timezone, month: "short", day: "numeric", year: "numeric" });
  const rows: TMemberRow[] = members.map((m) => ({
    id: m.id,
    email: m.user.email,
    name: m.user.name,
    role: m.role,
    teamIds: m.teams.map((t) => t.team.id),
    joined: joined.format(m.createdAt),
  }));
  const teamOptions: TTeamOption[] = teams.map((t) => ({ id: t.id, slug: t.slug, name: t.name, archived: t.archivedAt !== null }));
  const ownerCount = members.filter((m) => m.role === "OWNER").length;
  const assignableRoles = ROLES.filter((r) => r !== "OWNER" || access.role === "OWNER");
  const leaveBlocked = access.role === "OWNER" && ownerCount <= 1 ? "You are the only owner: make someone else an owner before you leave." : null;

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Members</h1>
        <p className="text-sm text-slate-500">
          Owners and admins manage teams, cost centers, budgets, keys and members; members also issue keys for their own teams; viewers read.
          {mayManage ? " Team membership decides which teams a member may issue keys for." : ""}
        </p>
      </header>
      {mayManage && (
        <Card title="Invite someone">
          <InviteForm orgSlug={slug} assignableRoles={assignableRoles} ttlDays={INVITATION_TTL_DAYS} inviteMember={inviteMember} />
        </Card>
      )}
      <Card title={`Members (${members.length})`}>
        <MemberTable
          orgSlug={slug}
          members={rows}
          teams={teamOptions}
          viewer={{ role: access.role, membershipId: access.membershipId }}
          mayManage={mayManage}
          changeRole={changeRole}
          removeMember={removeMember}
          setMemberTeams={setMemberTeams}
        />
      </Card>
      <Card title={`Pending invitations (${invitations.length})`}>
        <InvitationList
          orgSlug={slug}
          revokeInvitation={revokeInvitation}
          timezone={org.timezone}
          now={now}
          mayInvite={mayManage}
          invitations={invitations.map((i) => ({
            id: i.id,
            email: i.email,
            role: i.role,
            invitedAt: i.createdAt.toISOString(),
            expiresAt: i.expiresAt.toISOString(),
            emailDelivery: i.emailStatus && { state: DELIVERY_STATE[i.emailStatus.status], error: i.emailStatus.lastError },
          }))}
        />
      </Card>
      <Card title="Leave organization">
        <LeaveOrgButton orgSlug={slug} orgName={org.name} blockedReason={leaveBlocked} leaveOrg={leaveOrg} />
      </Card>
    </main>
  );
}
