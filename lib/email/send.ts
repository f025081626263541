import type { ReactElement } from "react";
import { render, toPlainText } from "@react-email/components";
import { Resend } from "resend";
import { prisma } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { emailEnv, mailboxEnabled } from "./config";

export { mailboxEnabled };

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

// One email, rendered, ready for the provider. `to` holds at least one trimmed address. Resend keeps
// an idempotency key for 24 h and answers a repeat with the first result instead of sending twice.
// The app sends only through the outbox (lib/email/outbox.ts), which calls these transports.
export type TOutgoingEmail = { to: string[]; subject: string; html: string; text: string; idempotencyKey?: string };

type TDbClient = Prisma.TransactionClient | ReturnType<typeof prisma>;

export function recipients(to: string | string[]): string[] {
  const list = (Array.isArray(to) ? to : [to]).map((a) => a.trim()).filter(Boolean);
  if (list.length === 0) throw new EmailSendError("No recipient", { code: "missing_required_field", statusCode: null });
  return list;
}

// A provider that does not answer within this time is treated as down (retryable); the idempotency
// key makes the next attempt safe even if this one did get through.
const RESEND_TIMEOUT_MS = 30_000;

export async function sendThroughResend(email: TOutgoingEmail): Promise<TSendResult> {
  const config = emailEnv();
  const apiKey = config.RESEND_API_KEY;
  if (!apiKey) throw new EmailSendError("RESEND_API_KEY is not set", { code: "missing_api_key", statusCode: null });
  // The SDK takes its base URL from RESEND_BASE_URL itself; passing it explicitly keeps one source
  // of truth (emailEnv) and works the same if the SDK ever stops reading the environment.
  const resend = new Resend(apiKey, config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : undefined);
  const { data, error } = await resend.emails.send(
    { from: config.EMAIL_FROM, to: email.to, subject: email.subject, html: email.html, text: email.text },
    { signal: AbortSignal.timeout(RESEND_TIMEOUT_MS), ...(email.idempotencyKey ? { idempotencyKey: email.idempotencyKey } : {}) },
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

// Without RESEND_API_KEY: store the email for /dev/mailbox. `db` may be a transaction, so the
// outbox can capture and mark the row sent atomically (exactly once without a provider key).
export async function captureEmail(db: TDbClient, email: TOutgoingEmail): Promise<TSendResult> {
  const config = emailEnv();
  const row = await db.capturedEmail.create({
    data: { to: email.to, from: config.EMAIL_FROM, subject: email.subject, html: email.html, text: email.text },
    select: { id: true },
  });
  const nodeEnv = config.NODE_ENV;
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
