import { createElement, type ComponentType } from "react";
import type { z } from "zod";
import { alertSubject } from "../../alerts/format";
import { renderEmail, type TRenderedEmail } from "../send";
import { AnomalyAlertEmail, anomalySubject, ZAnomalyAlertEmail } from "./anomaly-alert";
import { ApprovalRequestEmail, approvalRequestSubject, ZApprovalRequestEmail } from "./approval-request";
import { BudgetAlertEmail, ZBudgetAlertEmail, ZStoredBudgetAlertEmail } from "./budget-alert";
import { InvitationEmail, ZInvitationEmail } from "./invitation";
import { MagicLinkEmail, ZMagicLinkEmail } from "./magic-link";

// Every email the app sends, by the name stored in EmailOutbox.template: its payload schema, its
// subject and its react-email component. The outbox stores the name and the JSON payload and renders
// here at send time, so a queued email survives restarts and deploys as data, not as a closure.
type TTemplate<P> = {
  payload: z.ZodType<P, unknown>;
  subject: (payload: P) => string;
  component: ComponentType<P>;
  // How a stored payload is read back to render, when that is more lenient than `payload` (which
  // checks it when queued): a payload a newer version queued must still render here.
  stored?: z.ZodType<P, unknown>;
  // Links that grant access (sign-in, joining an org): removed from the stored payload once the
  // email is sent or has failed, so the outbox does not keep live credentials around.
  secretFields: readonly (keyof P & string)[];
};

const template = <P>(t: TTemplate<P>) => t;

// Names and org names are user input: keep them on one line in a subject.
function oneLine(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

export const MAGIC_LINK_SUBJECT = "Sign in to Burnrate";

export function invitationSubject(inviterName: string, orgName: string): string {
  return `${oneLine(inviterName)} invited you to ${oneLine(orgName)} on Burnrate`;
}

export const EMAIL_TEMPLATES = {
  "magic-link": template({
    payload: ZMagicLinkEmail,
    subject: () => MAGIC_LINK_SUBJECT,
    component: MagicLinkEmail,
    secretFields: ["url"],
  }),
  invitation: template({
    payload: ZInvitationEmail,
    subject: (p) => invitationSubject(p.inviterName, p.orgName),
    component: InvitationEmail,
    secretFields: ["url"],
  }),
  // One per recipient of a budget alert (lib/alerts/notify.ts): the alert event and the org's zone.
  "budget-alert": template({
    payload: ZBudgetAlertEmail,
    stored: ZStoredBudgetAlertEmail,
    subject: (p) => alertSubject(p.event),
    component: BudgetAlertEmail,
    secretFields: [],
  }),
  // One per owner / admin of an org when an anomaly opens (lib/anomalies/record.ts).
  "anomaly-alert": template({
    payload: ZAnomalyAlertEmail,
    subject: (p) => anomalySubject(p.event),
    component: AnomalyAlertEmail,
    secretFields: [],
  }),
  // One per budget owner when an agent asks for more (lib/approvals/request.ts): the signed
  // Approve / Deny links are dropped once it is sent.
  "approval-request": template({
    payload: ZApprovalRequestEmail,
    subject: approvalRequestSubject,
    component: ApprovalRequestEmail,
    secretFields: ["approveUrl", "denyUrl"],
  }),
};

export type TEmailTemplateName = keyof typeof EMAIL_TEMPLATES;
// What a caller passes for a template: exactly that template's props.
export type TEmailPayload<N extends TEmailTemplateName> = (typeof EMAIL_TEMPLATES)[N] extends TTemplate<infer P> ? P : never;

export function isEmailTemplateName(name: string): name is TEmailTemplateName {
  return Object.hasOwn(EMAIL_TEMPLATES, name);
}

// A stored row that can never render (unknown template, payload that fails its schema): retrying
// cannot help, so the outbox marks it FAILED at once.
export class EmailTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmailTemplateError";
  }
}

function templateOf(name: string): TTemplate<unknown> {
  if (!isEmailTemplateName(name)) throw new EmailTemplateError(`Unknown email template "${name}"`);
  return EMAIL_TEMPLATES[name] as TTemplate<unknown>;
}

// When an email is queued: validates its payload and returns the subject and the JSON to store
// (dates become ISO strings, which the schema reads back when the email is rendered).
export function prepareEmail<N extends TEmailTemplateName>(name: N, payload: TEmailPayload<N>): { subject: string; payload: unknown } {
  const t = templateOf(name);
  const parsed = t.payload.parse(payload);
  return { subject: t.subject(parsed), payload: JSON.parse(JSON.stringify(parsed)) };
}

// Validates the stored payload against its template (zod), then renders HTML and plain text.
export async function renderTemplate(name: string, payload: unknown): Promise<TRenderedEmail & { subject: string }> {
  const t = templateOf(name);
  const parsed = (t.stored ?? t.payload).safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`).join("; ");
    throw new EmailTemplateError(`Invalid payload for email template "${name}": ${problems}`);
  }
  const rendered = await renderEmail(createElement(t.component as ComponentType<object>, parsed.data as object));
  return { subject: t.subject(parsed.data), ...rendered };
}

// Renders every template once with its preview payload, so the first real email after a start does
// not pay React's and the templates' first render (measured: 61 ms for the budget alert, then ~7 ms).
// Returns how many rendered; never throws (a failure only means the first email is slower).
export async function warmEmailTemplates(): Promise<number> {
  let warmed = 0;
  for (const [name, t] of Object.entries(EMAIL_TEMPLATES)) {
    const preview = (t.component as { PreviewProps?: unknown }).PreviewProps;
    if (preview === undefined) continue;
    try {
      await renderTemplate(name, JSON.parse(JSON.stringify(preview)));
      warmed++;
    } catch (err) {
      console.error(`[email] warming template ${name} failed:`, err);
    }
  }
  return warmed;
}

// The payload as it may be kept after the email left: without its secret fields.
export function withoutSecrets(name: string, payload: unknown): unknown {
  if (!isEmailTemplateName(name) || !payload || typeof payload !== "object" || Array.isArray(payload)) return payload;
  const kept: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  for (const field of EMAIL_TEMPLATES[name].secretFields) delete kept[field];
  return kept;
}
