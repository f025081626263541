import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { isGenuineLink, ZDecisionLink } from "@/lib/approvals/decision-link";
import { approvalForPage } from "@/lib/approvals/page";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { displayUsd } from "@/lib/money";
import { DecideApproval } from "@/components/approvals/decide-approval";
import { Card } from "@/components/ui/card";
import { decideApproval } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Approval" };

// Where an approval email's Approve / Deny link lands. Signed out: sign-in, then back here (the
// layout's requireOrgPage keeps the whole link as the callback). Showing the page decides nothing;
// the confirm button posts the link's signed decision.
export default async function ApprovalPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string; id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { org: slug, id } = await params;
  const query = await searchParams;
  const access = await requireOrgPage(slug);
  const ask = await approvalForPage(access.org.id, id);
  if (!ask) notFound();
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const link = ZDecisionLink.safeParse({ decision: first(query.decision), expires: first(query.expires), sig: first(query.sig) });
  const genuine = link.success && isGenuineLink(access.org.id, id, link.data);
  const mayDecide = can(access.role, "approval.decide");
  const subject = `${ask.subject.kind} ${ask.subject.id}`;
  const facts: [string, string][] = [
    ["For", subject],
    ...(ask.agent ? ([["Agent", ask.agent]] as [string, string][]) : []),
    ["Spent so far", displayUsd(ask.spentUsd)],
    ["Blocked", ask.blocked ? (ask.blockedReason ?? "yes") : "no"],
    ["Asks for", `${displayUsd(ask.amountUsd)} more`],
    ["Because", ask.reason],
    ["Asked by", ask.requestedBy ? `key ${ask.requestedBy}` : "a key"],
    ["Expires", new Date(ask.expiresAt).toUTCString()],
  ];
  return (
    <main className="mx-auto max-w-2xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <h1 className="text-2xl font-semibold tracking-tight">An agent asks for {displayUsd(ask.amountUsd)} more</h1>
      <Card title="The ask">
        <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1 px-3 py-3 text-sm" data-testid="approval-facts">
          {facts.map(([name, value]) => (
            <div key={name} className="contents">
              <dt className="text-slate-500">{name}</dt>
              <dd className="break-words text-slate-900">{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      {ask.state !== "pending" ? (
        <p role="status" data-testid="approval-state" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
          {ask.state === "expired"
            ? "This ask expired without a decision; the agent has to ask again."
            : `This ask was ${ask.state}${ask.decidedBy ? ` by ${ask.decidedBy}` : ""}${ask.decidedAt ? ` on ${new Date(ask.decidedAt).toUTCString()}` : ""}.${
                ask.newLimitUsd ? ` Its limit is now ${displayUsd(ask.newLimitUsd)}.` : ""
              }`}
        </p>
      ) : !mayDecide ? (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
          Only an owner or admin of {access.org.name} can approve or deny this; your role is {access.role.toLowerCase()}.
        </p>
      ) : !genuine || !link.success ? (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700">
          This link is not valid. Open the Approve or Deny link from the email as it was sent.
        </p>
      ) : (
        <DecideApproval orgSlug={slug} input={{ approvalId: id, ...link.data }} amountUsd={ask.amountUsd} decide={decideApproval} />
      )}
    </main>
  );
}
