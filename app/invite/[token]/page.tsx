import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { invitationByToken } from "@/lib/orgs/members";
import { AcceptInvitation } from "@/components/onboarding/accept-invitation";
import { acceptInvite } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await requireUser();
  const invitation = await invitationByToken(token);
  const problem = !invitation
    ? "This invitation does not exist."
    : invitation.acceptedAt
      ? "This invitation has already been used."
      : invitation.expiresAt <= new Date()
        ? "This invitation has expired; ask for a new one."
        : null;
  return (
    <main className="mx-auto max-w-md px-6 py-24">
      {problem || !invitation ? (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700">{problem}</p>
      ) : (
        <>
          <h1 className="text-2xl font-semibold tracking-tight">Join {invitation.org.name}</h1>
          <p className="mt-2 text-sm text-slate-600">
            You are invited as <strong>{invitation.role.toLowerCase()}</strong>. Signed in as {user.email}.
          </p>
          <AcceptInvitation token={token} acceptInvite={acceptInvite} />
        </>
      )}
    </main>
  );
}
