import type { ReactElement } from "react";
import { render, toPlainText } from "@react-email/components";
import { Resend } from "resend";
import { prisma } from "../db";
import { emailEnv, mailboxEnabled } from "./config";

export { mailboxEnabled };

export type TEmailMessage = {
  to: string | string[];
  subject: string;
  react: ReactElement;
  // Resend keeps a key for 24 h and answers a repeat with the first result instead of sending twice.
  idempotencyKey?: string;
};

export type TSendResult = { id: string; captured: boolean };

// Resend answered with an error (or could not be reached). `code` is Resend's error name
// (validation_error, invalid_api_key, rate_limit_exceeded, application_error, …); `retryable` tells
// the outbox sender whether trying again later can help.
export class EmailSendError extends Error {
  readonly code: string;
  readonly statusCode: number | null;
  readonly retryable: boolean;

  constructor(message: string, options: { code: string; statusCode: number | null }) {
    super(message);
    this.name = "EmailSendError";
    this.code = options.code;
    this.statusCode = options.statusCode;
    const status = options.statusCode;
    this.retryable =
      status === null ||
      status === 429 ||
      status >= 500 ||
      options.code === "concurrent_idempotent_requests" ||
      options.code === "rate_limit_exceeded";
  }
}

export type TRenderedEmail = { html: string; text: string };

// HTML for mail clients, and the plain-text alternative derived from the same markup (what
// `render(el, { plainText: true })` produces, without rendering the React tree a second time).
export async function renderEmail(react: ReactElement): Promise<TRenderedEmail> {
  const html = await render(react);
  return { html, text: toPlainText(html) };
}

export async function sendEmail(message: TEmailMessage): Promise<TSendResult> {
  const to = (Array.isArray(message.to) ? message.to : [message.to]).map((a) => a.trim()).filter(Boolean);
  if (to.length === 0) throw new EmailSendError("No recipient", { code: "missing_required_field", statusCode: null });
  const config = emailEnv();
  const { html, text } = await renderEmail(message.react);

  const apiKey = config.RESEND_API_KEY;
  if (!apiKey) return capture({ to, from: config.EMAIL_FROM, subject: message.subject, html, text }, config.NODE_ENV);

  // The SDK takes its base URL from RESEND_BASE_URL itself; passing it explicitly keeps one source
  // of truth (emailEnv) and works the same if the SDK ever stops reading the environment.
  const resend = new Resend(apiKey, config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : undefined);
  const { data, error } = await resend.emails.send(
    { from: config.EMAIL_FROM, to, subject: message.subject, html, text },
    message.idempotencyKey ? { idempotencyKey: message.idempotencyKey } : undefined,
  );
  if (error || !data) {
    const raw = error?.message || "Resend returned no email id";
    // Belt and braces: a provider message should never contain the key, but never let it through.
    const safe = raw.split(apiKey).join("[redacted]");
    throw new EmailSendError(`Resend refused the email: ${safe}`, {
      code: error?.name ?? "application_error",
      statusCode: error?.statusCode ?? null,
    });
  }
  return { id: data.id, captured: false };
}

let warnedProductionCapture = false;

async function capture(
  email: { to: string[]; from: string; subject: string; html: string; text: string },
  nodeEnv: string,
): Promise<TSendResult> {
  const row = await prisma().capturedEmail.create({ data: email, select: { id: true } });
  if (nodeEnv === "development") {
    console.info(`[email] captured "${email.subject}" to ${email.to.join(", ")} — see /dev/mailbox/${row.id}`);
  } else if (nodeEnv === "production" && !warnedProductionCapture) {
    warnedProductionCapture = true;
    console.warn(
      mailboxEnabled()
        ? "[email] RESEND_API_KEY is not set: emails are captured at /dev/mailbox, not delivered"
        : "[email] RESEND_API_KEY is not set: emails are stored in the CapturedEmail table and NOT delivered (set RESEND_API_KEY)",
    );
  }
  return { id: row.id, captured: true };
}
