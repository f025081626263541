import type { CSSProperties } from "react";
import { Heading, Section, Text } from "@react-email/components";
import { z } from "zod";
import { displayUsd } from "../../money";
import { ActionLink, colors, EmailLayout, styles } from "./layout";

// An agent's ask for more budget, to each budget owner (lib/approvals/request.ts): what it is about
// in words, and the signed Approve / Deny links. The links are secretFields: dropped from the outbox
// once the email is sent.
export const ZApprovalRequestEmail = z.strictObject({
  orgName: z.string(),
  // "execution run-42" or "task migrate-db"
  subject: z.string(),
  agent: z.string().nullable(),
  spentUsd: z.string(),
  limitUsd: z.string().nullable(),
  blockedReason: z.string().nullable(),
  amountUsd: z.string(),
  reason: z.string(),
  requestedBy: z.string(),
  expiresAt: z.coerce.date(),
  approveUrl: z.url(),
  denyUrl: z.url(),
});
export type TApprovalRequestEmailProps = z.infer<typeof ZApprovalRequestEmail>;

const line: CSSProperties = { fontSize: "14px", lineHeight: "22px", color: colors.text, margin: "0 0 4px" };
const label: CSSProperties = { color: colors.muted };

export function approvalRequestSubject(p: Pick<TApprovalRequestEmailProps, "subject" | "amountUsd" | "agent">): string {
  const text = `Approve ${displayUsd(p.amountUsd)} more for ${p.subject}${p.agent ? ` (${p.agent})` : ""}?`.replace(/\s+/g, " ");
  return text.length > 180 ? `${text.slice(0, 179)}…` : text;
}

export function ApprovalRequestEmail(p: TApprovalRequestEmailProps) {
  const facts: [string, string][] = [["For", p.subject]];
  if (p.agent) facts.push(["Agent", p.agent]);
  facts.push(["Spent so far", p.limitUsd ? `${displayUsd(p.spentUsd)} of its ${displayUsd(p.limitUsd)} limit` : displayUsd(p.spentUsd)]);
  if (p.blockedReason) facts.push(["Blocked", p.blockedReason]);
  facts.push(["Asks for", `${displayUsd(p.amountUsd)} more`]);
  facts.push(["Because", p.reason]);
  facts.push(["Asked by", p.requestedBy]);
  return (
    <EmailLayout preview={approvalRequestSubject(p)}>
      <Heading as="h1" style={styles.heading}>
        An agent asks for {displayUsd(p.amountUsd)} more
      </Heading>
      <Text style={styles.paragraph}>
        In <strong>{p.orgName}</strong>, <strong>{p.subject}</strong> was refused by its budget and asks for more. Approving raises its limit by{" "}
        {displayUsd(p.amountUsd)} and lets it run again; denying leaves it stopped.
      </Text>
      <Section style={{ margin: "0 0 8px" }}>
        {facts.map(([name, value]) => (
          <Text key={name} style={{ ...line, wordBreak: "break-word" }}>
            <span style={label}>{name}:</span> {value}
          </Text>
        ))}
      </Section>
      <Section style={{ height: "12px" }} />
      <ActionLink url={p.approveUrl} label={`Approve ${displayUsd(p.amountUsd)}`} />
      <Section style={{ height: "8px" }} />
      <ActionLink url={p.denyUrl} label="Deny" />
      <Text style={styles.muted}>
        Each link opens a page where you confirm; it needs you signed in as an owner or admin of {p.orgName}. The first decision counts. The ask expires{" "}
        {p.expiresAt.toUTCString()}.
      </Text>
    </EmailLayout>
  );
}

ApprovalRequestEmail.PreviewProps = {
  orgName: "Acme",
  subject: "execution migration-bot-7f",
  agent: "migration-bot",
  spentUsd: "5.12",
  limitUsd: "5.00",
  blockedReason: 'Budget "Each execution" reached 5.12 of 5.00 USD',
  amountUsd: "3.00",
  reason: "The migration has 40 of 52 tables done; the rest need about $2.50.",
  requestedBy: "key br_AbCd1234 (ci-agents)",
  expiresAt: new Date("2026-11-21T09:30:00.000Z"),
  approveUrl: "http://localhost:3000/acme/approvals/appr_preview?decision=approve&expires=1795170600&sig=preview",
  denyUrl: "http://localhost:3000/acme/approvals/appr_preview?decision=deny&expires=1795170600&sig=preview",
} satisfies TApprovalRequestEmailProps;

export default ApprovalRequestEmail;
