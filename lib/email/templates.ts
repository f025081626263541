import { createElement } from "react";
import { InvitationEmail, type TInvitationEmailProps } from "../../components/emails/invitation";
import { MagicLinkEmail, type TMagicLinkEmailProps } from "../../components/emails/magic-link";
import { sendEmail, type TSendResult } from "./send";

// One function per email the app sends: the subject lives next to the template choice, callers only
// pass data. Names and org names are user input: keep them on one line in a subject.
function oneLine(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

export const MAGIC_LINK_SUBJECT = "Sign in to Burnrate";

export async function sendMagicLink(
  input: { to: string } & TMagicLinkEmailProps & { idempotencyKey?: string },
): Promise<TSendResult> {
  const { to, idempotencyKey, ...props } = input;
  return sendEmail({ to, subject: MAGIC_LINK_SUBJECT, react: createElement(MagicLinkEmail, props), idempotencyKey });
}

export function invitationSubject(inviterName: string, orgName: string): string {
  return `${oneLine(inviterName)} invited you to ${oneLine(orgName)} on Burnrate`;
}

export async function sendInvitation(
  input: { to: string } & TInvitationEmailProps & { idempotencyKey?: string },
): Promise<TSendResult> {
  const { to, idempotencyKey, ...props } = input;
  return sendEmail({
    to,
    subject: invitationSubject(props.inviterName, props.orgName),
    react: createElement(InvitationEmail, props),
    idempotencyKey,
  });
}
