import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { closeDb, prisma } from "../db";
import { runTs } from "../testing/child";
import { startFakeResend, type TFakeResend } from "../testing/fake-resend";
import { createPrivateDatabase } from "../testing/private-database";
import { drainOutbox, enqueueEmail, kickOutbox, OUTBOX_POLICY, resumeOutboxSender, retryDelayMs, stopOutboxSender } from "./outbox";

// The outbox is one queue per database: this file's Resend-mode senders get a database of their own,
// so they never deliver (or capture) another test file's emails.
const database = await createPrivateDatabase("outbox");
afterAll(async () => {
  await closeDb();
  await database.drop();
});

const ENV_NAMES = ["RESEND_API_KEY", "RESEND_BASE_URL", "EMAIL_FROM"] as const;
const saved = Object.fromEntries(ENV_NAMES.map((n) => [n, process.env[n]]));
function setEnv(values: Partial<Record<(typeof ENV_NAMES)[number], string | undefined>>) {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
afterEach(() => setEnv(saved));

const uniq = () => randomBytes(5).toString("hex");

function magicLink(to = `ada+${uniq()}@example.com`, key = `test/${uniq()}`) {
  return {
    template: "magic-link" as const,
    to,
    idempotencyKey: key,
    payload: { url: `https://burnrate.example/api/auth/callback/email?token=${uniq()}&email=${encodeURIComponent(to)}`, host: "burnrate.example", expiresInMinutes: 15 },
  };
}

const row = (key: string) => prisma().emailOutbox.findUniqueOrThrow({ where: { idempotencyKey: key } });
// What a lease or a backoff would let happen later, now.
const makeDue = (key: string) => prisma().$executeRaw`UPDATE "EmailOutbox" SET "nextAttemptAt" = now() - interval '1 second' WHERE "idempotencyKey" = ${key}`;

describe("enqueueEmail", () => {
  // This database is the file's own: leave no due row behind for the sender tests below.
  afterAll(async () => {
    await prisma().emailOutbox.deleteMany({ where: { status: "PENDING" } });
  });

  test("commits with the caller's transaction and not without it", async () => {
    const kept = magicLink();
    const rolledBack = magicLink();
    await prisma().$transaction(async (tx) => {
      await enqueueEmail(tx, kept);
    });
    await expect(
      prisma().$transaction(async (tx) => {
        await enqueueEmail(tx, rolledBack);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");

    expect(await row(kept.idempotencyKey)).toMatchObject({
      status: "PENDING",
      attempts: 0,
      to: [kept.to],
      subject: "Sign in to Burnrate",
      template: "magic-link",
      payload: kept.payload,
      providerId: null,
      sentAt: null,
    });
    expect(await prisma().emailOutbox.count({ where: { idempotencyKey: rolledBack.idempotencyKey } })).toBe(0);
  });

  test("the same idempotency key stores one row; a payload that does not fit its template stores none", async () => {
    const email = magicLink();
    const first = await enqueueEmail(prisma(), email);
    const second = await enqueueEmail(prisma(), { ...email, payload: { ...email.payload, expiresInMinutes: 99 } });
    expect(second.id).toBe(first.id);
    expect((await row(email.idempotencyKey)).payload).toMatchObject({ expiresInMinutes: 15 });

    const bad = magicLink();
    await expect(enqueueEmail(prisma(), { ...bad, payload: { ...bad.payload, url: "not a url" } })).rejects.toThrow();
    expect(await prisma().emailOutbox.count({ where: { idempotencyKey: bad.idempotencyKey } })).toBe(0);
  });
});

describe("retryDelayMs", () => {
  test("doubles per attempt from 10 s, with up to half of it random, capped at one hour", () => {
    expect(retryDelayMs(1, OUTBOX_POLICY, () => 0)).toBe(5_000);
    expect(retryDelayMs(1, OUTBOX_POLICY, () => 1)).toBe(10_000);
    expect(retryDelayMs(2, OUTBOX_POLICY, () => 0)).toBe(10_000);
    expect(retryDelayMs(4, OUTBOX_POLICY, () => 1)).toBe(80_000);
    expect(retryDelayMs(30, OUTBOX_POLICY, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(30, OUTBOX_POLICY, () => 0)).toBe(1_800_000);
    const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(3)));
    expect(spread.size).toBeGreaterThan(40);
    for (const delay of spread) {
      expect(delay).toBeGreaterThanOrEqual(20_000);
      expect(delay).toBeLessThanOrEqual(40_000);
    }
  });
});

describe("the sender, through Resend (fake speaking Resend's wire format)", () => {
  let fake: TFakeResend;
  beforeAll(async () => {
    fake = await startFakeResend();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.received.length = 0;
    fake.onAccepted(null);
    setEnv({ RESEND_API_KEY: fake.apiKey, RESEND_BASE_URL: fake.url, EMAIL_FROM: "Burnrate <alerts@burnrate.test>" });
  });

  test("sends a due row with its idempotency key, records Resend's id, and drops the link from the stored payload", async () => {
    const email = magicLink();
    await enqueueEmail(prisma(), email);
    expect(await drainOutbox()).toMatchObject({ claimed: 1, sent: 1 });

    expect(fake.received).toHaveLength(1);
    const [req] = fake.received;
    expect(req.idempotencyKey).toBe(email.idempotencyKey);
    expect(req.body).toMatchObject({ to: [email.to], subject: "Sign in to Burnrate", from: "Burnrate <alerts@burnrate.test>" });
    expect(req.body.text).toContain(email.payload.url);
    const sent = await row(email.idempotencyKey);
    expect(sent).toMatchObject({ status: "SENT", attempts: 1, providerId: req.id, lastError: null, sentAt: expect.any(Date) });
    expect(sent.payload).toEqual({ host: "burnrate.example", expiresInMinutes: 15 });
    // Nothing left to do: a second drain sends nothing.
    expect(await drainOutbox()).toMatchObject({ claimed: 0 });
    expect(fake.received).toHaveLength(1);
  });

  test("retryable errors back off exponentially with jitter, keep the last error, then the email goes out once", async () => {
    const email = magicLink();
    await enqueueEmail(prisma(), email);
    fake.failNext(1, { status: 500, name: "internal_server_error", message: "An unexpected error occurred." });
    fake.failNext(1, { status: 429, name: "rate_limit_exceeded", message: "Too many requests." });

    const t0 = Date.now();
    expect(await drainOutbox()).toMatchObject({ claimed: 1, retried: 1 });
    const first = await row(email.idempotencyKey);
    expect(first).toMatchObject({ status: "PENDING", attempts: 1, lastError: expect.stringContaining("unexpected error") });
    const wait1 = first.nextAttemptAt.getTime() - t0;
    expect(wait1).toBeGreaterThan(4_000);
    expect(wait1).toBeLessThan(11_000);
    // Not due yet: nothing is claimed.
    expect(await drainOutbox()).toMatchObject({ claimed: 0 });

    await makeDue(email.idempotencyKey);
    const t1 = Date.now();
    expect(await drainOutbox()).toMatchObject({ retried: 1 });
    const second = await row(email.idempotencyKey);
    expect(second).toMatchObject({ status: "PENDING", attempts: 2, lastError: expect.stringContaining("Too many requests") });
    const wait2 = second.nextAttemptAt.getTime() - t1;
    expect(wait2).toBeGreaterThan(9_000);
    expect(wait2).toBeLessThan(21_000);

    await makeDue(email.idempotencyKey);
    expect(await drainOutbox()).toMatchObject({ sent: 1 });
    expect(await row(email.idempotencyKey)).toMatchObject({ status: "SENT", attempts: 3, lastError: null });
    expect(fake.received.map((r) => r.status)).toEqual([500, 429, 200]);
    expect(fake.sent()).toHaveLength(1);
  });

  test("a non-retryable error fails the row at once and keeps Resend's message", async () => {
    const email = magicLink("not-an-address");
    await enqueueEmail(prisma(), email);
    expect(await drainOutbox()).toMatchObject({ failed: 1 });
    const failed = await row(email.idempotencyKey);
    expect(failed).toMatchObject({ status: "FAILED", attempts: 1, providerId: null, lastError: expect.stringMatching(/Invalid `to` field/) });
    // A failed row keeps no live link either.
    expect(failed.payload).not.toHaveProperty("url");
    await makeDue(email.idempotencyKey);
    expect(await drainOutbox()).toMatchObject({ claimed: 0 });
  });

  test("after the last allowed attempt a retryable error fails the row, saying so", async () => {
    const email = magicLink();
    await enqueueEmail(prisma(), email);
    fake.failNext(3, { status: 503, name: "internal_server_error", message: "Service unavailable." });
    for (let i = 0; i < 3; i++) {
      await makeDue(email.idempotencyKey);
      await drainOutbox({ maxAttempts: 3 });
    }
    expect(await row(email.idempotencyKey)).toMatchObject({ status: "FAILED", attempts: 3, lastError: expect.stringContaining("gave up after 3 attempts") });
    expect(fake.sent()).toHaveLength(0);
  });

  test("a stored payload that no longer fits its template fails without calling Resend", async () => {
    const key = `test/${uniq()}`;
    await prisma().emailOutbox.create({
      data: { to: ["a@example.com"], subject: "x", template: "invitation", payload: { url: "https://x.example/i" }, idempotencyKey: key },
    });
    expect(await drainOutbox()).toMatchObject({ failed: 1 });
    expect(await row(key)).toMatchObject({ status: "FAILED", lastError: expect.stringMatching(/Invalid payload for email template "invitation".*orgName/) });
    expect(fake.received).toHaveLength(0);
  });

  test("a sender that dies after Resend accepted and before marking SENT: the row is sent again with the same key and Resend answers the first email", async () => {
    const email = magicLink();
    await enqueueEmail(prisma(), email);
    // Another process sends; when Resend has accepted our email, that process is killed before it
    // reads the answer — "accepted but not marked".
    const sender = runTs("lib/testing/outbox-sender.ts");
    fake.onAccepted(async (accepted) => {
      if (!accepted.body.to.includes(email.to)) return;
      sender.child.kill("SIGKILL");
      await sender.exited;
    });
    expect(await sender.exited).toMatchObject({ signal: "SIGKILL" });
    fake.onAccepted(null);

    expect(fake.sent()).toHaveLength(1);
    const firstId = fake.sent()[0].id;
    const orphan = await row(email.idempotencyKey);
    expect(orphan).toMatchObject({ status: "PENDING", attempts: 1, providerId: null });
    // Its lease keeps the row from every other sender while the dead one might still be sending…
    expect(await drainOutbox()).toMatchObject({ claimed: 0 });
    expect(orphan.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + OUTBOX_POLICY.leaseMs - 30_000);

    // …and once it has run out, the next sender re-sends with the same key: no second email.
    await makeDue(email.idempotencyKey);
    expect(await drainOutbox()).toMatchObject({ claimed: 1, sent: 1 });
    expect(fake.received.map((r) => [r.idempotencyKey, r.status, r.id])).toEqual([
      [email.idempotencyKey, 200, firstId],
      [email.idempotencyKey, 200, firstId],
    ]);
    expect(fake.sent()).toHaveLength(1);
    expect(await row(email.idempotencyKey)).toMatchObject({ status: "SENT", attempts: 2, providerId: firstId });
  });

  test("senders racing on the same rows (two in this process, one in another process) send each row exactly once", async () => {
    const emails = Array.from({ length: 30 }, () => magicLink());
    for (const email of emails) await enqueueEmail(prisma(), email);
    // Resend takes 20 ms per email, so the three senders overlap for the whole drain.
    fake.onAccepted(() => new Promise((resolve) => setTimeout(resolve, 20)));
    const other = runTs("lib/testing/outbox-sender.ts", { WAIT_FOR_GO: "1", BATCH_SIZE: "3" });
    await other.printed("ready");
    other.child.stdin!.end("go\n");
    const [a, b] = await Promise.all([drainOutbox({ batchSize: 3 }), drainOutbox({ batchSize: 3 })]);
    const { code } = await other.exited;
    expect(code, other.output()).toBe(0);
    const c = JSON.parse(other.output().trim().split("\n").pop()!);

    // Every sender took part…
    for (const sender of [a, b, c]) expect(sender.sent).toBeGreaterThan(0);
    expect(a.sent + b.sent + c.sent).toBe(emails.length);
    expect(a.superseded + b.superseded + c.superseded).toBe(0);
    // …and each email was requested once: no row was even tried twice.
    expect(fake.received).toHaveLength(emails.length);
    expect(new Set(fake.received.map((r) => r.idempotencyKey))).toEqual(new Set(emails.map((e) => e.idempotencyKey)));
    const rows = await prisma().emailOutbox.findMany({ where: { idempotencyKey: { in: emails.map((e) => e.idempotencyKey) } } });
    expect(rows.every((r) => r.status === "SENT" && r.attempts === 1 && r.providerId)).toBe(true);
  });
});

describe("the sender without RESEND_API_KEY (dev mailbox)", () => {
  beforeEach(() => setEnv({ RESEND_API_KEY: undefined, RESEND_BASE_URL: undefined, EMAIL_FROM: undefined }));

  test("captures each email once, in the same transaction as marking it SENT, however many senders race", async () => {
    const emails = Array.from({ length: 12 }, () => magicLink());
    for (const email of emails) await enqueueEmail(prisma(), email);
    const other = runTs("lib/testing/outbox-sender.ts", { RESEND_API_KEY: "", WAIT_FOR_GO: "1", BATCH_SIZE: "2" });
    await other.printed("ready");
    other.child.stdin!.end("go\n");
    await Promise.all([drainOutbox({ batchSize: 2 }), drainOutbox({ batchSize: 2 }), kickOutbox()]);
    expect((await other.exited).code, other.output()).toBe(0);

    for (const email of emails) {
      const captured = await prisma().capturedEmail.findMany({ where: { to: { has: email.to } } });
      expect(captured).toHaveLength(1);
      expect(captured[0].text).toContain(email.payload.url);
      expect(await row(email.idempotencyKey)).toMatchObject({ status: "SENT", providerId: captured[0].id });
    }
  });

  test("kicks coalesce, resolve once the email has gone, and do nothing after the sender stopped", async () => {
    const email = magicLink();
    await enqueueEmail(prisma(), email);
    const kicks = [kickOutbox(), kickOutbox(), kickOutbox()];
    // One drain at a time in this process: the three kicks share at most two drains.
    expect(new Set(kicks).size).toBe(1);
    await Promise.all(kicks);
    expect((await row(email.idempotencyKey)).status).toBe("SENT");

    await stopOutboxSender();
    const later = magicLink();
    await enqueueEmail(prisma(), later);
    await kickOutbox();
    expect((await row(later.idempotencyKey)).status).toBe("PENDING");
    resumeOutboxSender();
    await kickOutbox();
    expect((await row(later.idempotencyKey)).status).toBe("SENT");
  });
});
