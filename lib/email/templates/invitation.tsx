import { Heading, Text } from "@react-email/components";
import { z } from "zod";
import { ActionLink, EmailLayout, styles } from "./layout";

// The payload stored in the outbox (JSON: the date travels as an ISO string) and validated again
// when the email is rendered.
export const ZInvitationEmail = z.object({
  url: z.url(),
  orgName: z.string().min(1),
  inviterName: z.string().min(1),
  role: z.enum(["OWNER", "ADMIN", "MEMBER", "VIEWER"]),
  expiresAt: z.coerce.date(),
});
export type TInvitationEmailProps = z.infer<typeof ZInvitationEmail>;

const ROLE_DESCRIPTIONS: Record<string, string> = {
  OWNER: "full control, including billing and members",
  ADMIN: "manage budgets, keys, teams and members",
  MEMBER: "view spend and manage your own keys",
  VIEWER: "read-only access to spend and reports",
};

export function InvitationEmail({ url, orgName, inviterName, role, expiresAt }: TInvitationEmailProps) {
  const roleKey = role.toUpperCase();
  const roleLabel = roleKey.charAt(0) + roleKey.slice(1).toLowerCase();
  const roleDescription = ROLE_DESCRIPTIONS[roleKey];
  return (
    <EmailLayout preview={`${inviterName} invited you to ${orgName} on Burnrate`}>
      <Heading as="h1" style={styles.heading}>
        Join {orgName} on Burnrate
      </Heading>
      <Text style={styles.paragraph}>
        <strong>{inviterName}</strong> invited you to the <strong>{orgName}</strong> organization on Burnrate as{" "}
        {/^[aeiou]/i.test(roleLabel) ? "an" : "a"} <strong>{roleLabel}</strong>
        {roleDescription ? ` (${roleDescription})` : ""}.
      </Text>
      <ActionLink url={url} label="Accept invitation" />
      <Text style={styles.muted}>
        This invitation expires on {formatExpiry(expiresAt)}. If you were not expecting it, you can safely ignore this
        email.
      </Text>
    </EmailLayout>
  );
}

// An absolute UTC time: the recipient's timezone is unknown, and "in 7 days" goes stale in the inbox.
function formatExpiry(date: Date): string {
  return new Intl.DateTimeFormat("en-US", {
    timeZone: "UTC",
    dateStyle: "long",
    timeStyle: "short",
  }).format(date) + " UTC";
}

InvitationEmail.PreviewProps = {
  url: "http://localhost:3000/invite/example-token",
  orgName: "Acme",
  inviterName: "Ada Lovelace",
  role: "ADMIN",
  expiresAt: new Date("2030-01-08T12:00:00Z"),
} satisfies TInvitationEmailProps;

export default InvitationEmail;
