import { Heading, Text } from "@react-email/components";
import { z } from "zod";
import { ActionLink, EmailLayout, styles } from "./layout";

// The payload stored in the outbox and validated again when the email is rendered.
export const ZMagicLinkEmail = z.object({ url: z.url(), host: z.string().min(1), expiresInMinutes: z.number().int().positive() });
export type TMagicLinkEmailProps = z.infer<typeof ZMagicLinkEmail>;

// The sign-in link is the only URL in this email (the host is plain text), so "the link in the
// email" is unambiguous — for people and for the e2e test that follows it from /dev/mailbox.
export function MagicLinkEmail({ url, host, expiresInMinutes }: TMagicLinkEmailProps) {
  return (
    <EmailLayout preview={`Your sign-in link for Burnrate (${host})`}>
      <Heading as="h1" style={styles.heading}>
        Sign in to Burnrate
      </Heading>
      <Text style={styles.paragraph}>
        Click the button below to sign in to Burnrate at <strong>{host}</strong>.
      </Text>
      <ActionLink url={url} label="Sign in to Burnrate" />
      <Text style={styles.muted}>
        This link expires in {formatMinutes(expiresInMinutes)} and can be used once. If you did not ask to sign in, you
        can safely ignore this email.
      </Text>
    </EmailLayout>
  );
}

function formatMinutes(minutes: number): string {
  if (minutes >= 60 && minutes % 60 === 0) {
    const hours = minutes / 60;
    return hours === 1 ? "1 hour" : `${hours} hours`;
  }
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

MagicLinkEmail.PreviewProps = {
  url: "http://localhost:3000/api/auth/callback/email?token=example&email=ada%40example.com",
  host: "localhost:3000",
  expiresInMinutes: 15,
} satisfies TMagicLinkEmailProps;

export default MagicLinkEmail;
