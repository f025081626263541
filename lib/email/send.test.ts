import { randomBytes } from "node:crypto";
import { createElement, type ReactElement } from "react";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { MagicLinkEmail } from "./templates/magic-link";
import { prisma } from "../db";
import { startFakeResend, type TFakeResend } from "../testing/fake-resend";
import { emailEnv } from "./config";
import { captureEmail, EmailSendError, mailboxEnabled, recipients, renderEmail, sendThroughResend } from "./send";
import { MAGIC_LINK_SUBJECT } from "./templates/registry";

const ENV_NAMES = ["RESEND_API_KEY", "RESEND_BASE_URL", "EMAIL_FROM", "BURNRATE_MAILBOX", "NODE_ENV"] as const;
const saved = Object.fromEntries(ENV_NAMES.map((n) => [n, process.env[n]]));

function setEnv(values: Partial<Record<(typeof ENV_NAMES)[number], string | undefined>>) {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

afterEach(() => setEnv(saved));

// What the outbox does with a row, from a React element: render, then Resend or the mailbox.
async function sendEmail(message: { to: string | string[]; subject: string; react: ReactElement; idempotencyKey?: string }) {
  const to = recipients(message.to);
  const { html, text } = await renderEmail(message.react);
  const email = { to, subject: message.subject, html, text, idempotencyKey: message.idempotencyKey };
  return emailEnv().RESEND_API_KEY ? sendThroughResend(email) : captureEmail(prisma(), email);
}

function uniqueAddress(): string {
  return `ada+${randomBytes(5).toString("hex")}@example.com`;
}

// A real Auth.js-style link: the `&` must survive HTML escaping and plain-text conversion.
function magicUrl(email: string): string {
  return `http://localhost:3000/api/auth/callback/email?callbackUrl=${encodeURIComponent("http://localhost:3000/acme/overview")}&token=${randomBytes(16).toString("hex")}&email=${encodeURIComponent(email)}`;
}

function magicElement(url: string) {
  return createElement(MagicLinkEmail, { url, host: "localhost:3000", expiresInMinutes: 15 });
}

describe("sendEmail through Resend (fake server speaking Resend's wire format)", () => {
  let fake: TFakeResend;

  beforeAll(async () => {
    fake = await startFakeResend();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.received.length = 0;
    setEnv({ RESEND_API_KEY: fake.apiKey, RESEND_BASE_URL: fake.url, EMAIL_FROM: "Burnrate <alerts@burnrate.test>" });
  });

  test("posts one email with from/to/subject/html/text and the idempotency key; returns Resend's id", async () => {
    const to = uniqueAddress();
    const url = magicUrl(to);
    const before = await prisma().capturedEmail.count();

    const result = await sendEmail({ to, subject: "Sign in to Burnrate", react: magicElement(url), idempotencyKey: "magic-link/abc-123" });

    expect(fake.received).toHaveLength(1);
    const [req] = fake.received;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/emails");
    expect(req.status).toBe(200);
    expect(req.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(req.headers["user-agent"]).toMatch(/^resend-node:\d+\.\d+\.\d+/);
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.idempotencyKey).toBe("magic-link/abc-123");
    expect(req.body.from).toBe("Burnrate <alerts@burnrate.test>");
    expect(req.body.to).toEqual([to]);
    expect(req.body.subject).toBe("Sign in to Burnrate");
    expect(req.body.html).toMatch(/^<!DOCTYPE html/);
    expect(req.body.html).toContain(`href="${url.replaceAll("&", "&amp;")}"`);
    expect(req.body.text).toContain(url);
    expect(req.body.text).toContain("Sign in to Burnrate");
    expect(req.body.text).not.toContain("<");
    // The SDK must not send the React element or camelCase fields.
    expect(req.body.react).toBeUndefined();

    expect(result).toEqual({ id: req.id, captured: false });
    expect(await prisma().capturedEmail.count()).toBe(before);
  });

  test("several recipients go in one request", async () => {
    const a = uniqueAddress();
    const b = uniqueAddress();
    await sendEmail({ to: [a, b], subject: "Hello", react: magicElement(magicUrl(a)) });
    expect(fake.received).toHaveLength(1);
    expect(fake.received[0].body.to).toEqual([a, b]);
    expect(fake.received[0].idempotencyKey).toBeUndefined();
  });

  test("a repeated idempotency key returns the first id and sends nothing new", async () => {
    const to = uniqueAddress();
    const url = magicUrl(to);
    const first = await sendEmail({ to, subject: "Sign in to Burnrate", react: magicElement(url), idempotencyKey: "retry-me" });
    const second = await sendEmail({ to, subject: "Sign in to Burnrate", react: magicElement(url), idempotencyKey: "retry-me" });
    expect(second.id).toBe(first.id);
    expect(fake.received).toHaveLength(2);
    expect(fake.sent()).toHaveLength(1);
  });

  test("a rejected API key surfaces as EmailSendError without leaking the key", async () => {
    const wrongKey = `re_wrong_${randomBytes(8).toString("hex")}`;
    setEnv({ RESEND_API_KEY: wrongKey });
    const error = await sendEmail({ to: uniqueAddress(), subject: "x", react: magicElement("http://localhost/x") }).catch((e) => e);
    expect(error).toBeInstanceOf(EmailSendError);
    expect(error.code).toBe("invalid_api_key");
    expect(error.statusCode).toBe(403);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("API key is invalid");
    expect(error.message).not.toContain(wrongKey);
    expect(fake.received).toHaveLength(1);
    expect(fake.received[0].status).toBe(403);
  });

  test("an invalid recipient surfaces as EmailSendError with Resend's validation message", async () => {
    const error = await sendEmail({ to: "not-an-address", subject: "x", react: magicElement("http://localhost/x") }).catch((e) => e);
    expect(error).toBeInstanceOf(EmailSendError);
    expect(error.code).toBe("validation_error");
    expect(error.statusCode).toBe(422);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/Invalid `to` field/);
  });

  test("an invalid EMAIL_FROM surfaces as EmailSendError", async () => {
    setEnv({ EMAIL_FROM: "Burnrate" });
    const error = await sendEmail({ to: uniqueAddress(), subject: "x", react: magicElement("http://localhost/x") }).catch((e) => e);
    expect(error).toBeInstanceOf(EmailSendError);
    expect(error.statusCode).toBe(422);
    expect(error.message).toMatch(/Invalid `from` field/);
  });

  test("an empty subject is a missing required field", async () => {
    const error = await sendEmail({ to: uniqueAddress(), subject: "", react: magicElement("http://localhost/x") }).catch((e) => e);
    expect(error).toBeInstanceOf(EmailSendError);
    expect(error.code).toBe("missing_required_field");
    expect(error.statusCode).toBe(422);
  });

  test("provider outages and rate limits are retryable", async () => {
    fake.failNext(1, { status: 500, name: "internal_server_error", message: "An unexpected error occurred." });
    fake.failNext(1, { status: 429, name: "rate_limit_exceeded", message: "Too many requests." });
    const e500 = await sendEmail({ to: uniqueAddress(), subject: "x", react: magicElement("http://localhost/x") }).catch((e) => e);
    const e429 = await sendEmail({ to: uniqueAddress(), subject: "x", react: magicElement("http://localhost/x") }).catch((e) => e);
    expect(e500).toBeInstanceOf(EmailSendError);
    expect(e500.retryable).toBe(true);
    expect(e429).toBeInstanceOf(EmailSendError);
    expect(e429.code).toBe("rate_limit_exceeded");
    expect(e429.retryable).toBe(true);
  });

  test("an unreachable Resend is a retryable EmailSendError", async () => {
    const down = await startFakeResend();
    await down.close();
    setEnv({ RESEND_API_KEY: down.apiKey, RESEND_BASE_URL: down.url });
    const error = await sendEmail({ to: uniqueAddress(), subject: "x", react: magicElement("http://localhost/x") }).catch((e) => e);
    expect(error).toBeInstanceOf(EmailSendError);
    expect(error.statusCode).toBeNull();
    expect(error.retryable).toBe(true);
  });
});

describe("the fake Resend itself", () => {
  test("requires a bearer token, in Resend's error shape", async () => {
    const fake = await startFakeResend();
    try {
      const res = await fetch(`${fake.url}/emails`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ from: "a@b.co", to: "c@d.co", subject: "s", text: "t" }),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ statusCode: 401, name: "missing_api_key", message: expect.stringContaining("Missing API key") });
      expect(fake.sent()).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});

describe("sendEmail without RESEND_API_KEY (captured for /dev/mailbox)", () => {
  beforeEach(() => setEnv({ RESEND_API_KEY: undefined, RESEND_BASE_URL: undefined, EMAIL_FROM: undefined }));

  test("stores the magic link email with the link in both HTML and text", async () => {
    const to = uniqueAddress();
    const url = magicUrl(to);
    const result = await sendEmail({ to, subject: MAGIC_LINK_SUBJECT, react: magicElement(url) });
    expect(result.captured).toBe(true);

    const row = await prisma().capturedEmail.findUniqueOrThrow({ where: { id: result.id } });
    expect(row.to).toEqual([to]);
    expect(row.from).toBe("Burnrate <alerts@burnrate.local>");
    expect(row.subject).toBe("Sign in to Burnrate");
    expect(row.html).toContain(`href="${url.replaceAll("&", "&amp;")}"`);
    expect(row.html).toContain("Sign in to Burnrate");
    expect(row.html).not.toMatch(/<img|<link|@import|url\(/i); // nothing fetched from outside
    expect(row.text).toContain(url);
    expect(row.text).toContain("expires in 15 minutes");
    expect(row.text).toContain("ignore this email");
    expect(Date.now() - row.createdAt.getTime()).toBeLessThan(60_000);
  });

  test("an empty RESEND_API_KEY counts as unset", async () => {
    setEnv({ RESEND_API_KEY: "" });
    const result = await sendEmail({ to: uniqueAddress(), subject: "Blank key", react: magicElement("http://localhost/x") });
    expect(result.captured).toBe(true);
  });

  test("no recipient is refused before anything is stored", async () => {
    await expect(sendEmail({ to: [], subject: "x", react: magicElement("http://localhost/x") })).rejects.toBeInstanceOf(EmailSendError);
  });
});

describe("mailboxEnabled", () => {
  test("on outside production, off in production unless BURNRATE_MAILBOX=1", () => {
    setEnv({ NODE_ENV: "test", BURNRATE_MAILBOX: undefined });
    expect(mailboxEnabled()).toBe(true);
    setEnv({ NODE_ENV: "development" });
    expect(mailboxEnabled()).toBe(true);
    setEnv({ NODE_ENV: "production" });
    expect(mailboxEnabled()).toBe(false);
    setEnv({ BURNRATE_MAILBOX: "0" });
    expect(mailboxEnabled()).toBe(false);
    setEnv({ BURNRATE_MAILBOX: "1" });
    expect(mailboxEnabled()).toBe(true);
  });
});
