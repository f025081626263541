import { createElement } from "react";
import { InvitationEmail, type TInvitationEmailProps } from "./templates/invitation";
import { MagicLinkEmail, type TMagicLinkEmailProps } from "./templates/magic-link";
import { invitationSubject, MAGIC_LINK_SUBJECT } from "./templates/registry";
import { sendEmail, type TSendResult } from "./send";

export async function sendMagicLink(
  input: { to: string } & TMagicLinkEmailProps & { idempotencyKey?: string },
): Promise<TSendResult> {
  const { to, idempotencyKey, ...props } = input;
  return sendEmail({ to, subject: MAGIC_LINK_SUBJECT, react: createElement(MagicLinkEmail, props), idempotencyKey });
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
