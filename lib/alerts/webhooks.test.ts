import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { closeDb, prisma, withTransaction } from "../db";
import { JOBS } from "../jobs/registry";
import { insertTestAlert } from "../testing/alerts";
import { runTs } from "../testing/child";
import { createTestOrg } from "../testing/fixtures";
import { createPrivateDatabase } from "../testing/private-database";
import { startWebhookReceiver, type TWebhookReceiver } from "../testing/webhook-receiver";
import { queueAlertNotifications } from "./notify";
import { verifyBurnrateSignature } from "./signature";
import { postWebhook } from "./webhook-http";
import { ensureWebhookSecret } from "./webhook-secret";
import { guardedLookup, treatAsSlackForTests } from "./webhook-target";
import { drainWebhooks, kickWebhooks, resumeWebhookSender, stopWebhookSender, USER_AGENT, WEBHOOK_POLICY } from "./webhooks";

// The webhook queue is one per database: this file's senders get a database of their own, so they
// never POST another file's deliveries (nor another file ours).
const database = await createPrivateDatabase("webhooks");
afterAll(async () => {
  await closeDb();
  await database.drop();
});

let receiver: TWebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
});
afterEach(async () => {
  receiver.received.length = 0;
  receiver.handle(() => ({ status: 200, body: "ok" }));
  // Leave no due row behind for the next test's drains.
  await prisma().webhookDelivery.updateMany({ where: { status: "PENDING" }, data: { status: "FAILED", lastError: "test cleanup" } });
});


// An org, one alert, and a webhook delivery of it to each URL, committed as lib/budgets will.
async function queued(urls: string[], options: { kind?: "ACTUAL" | "FORECAST" } = {}) {
  const { org } = await createTestOrg();
  const alert = await withTransaction(async (client) => {
    const a = await insertTestAlert(client, { org: { id: org.id, slug: org.slug, name: org.name }, kind: options.kind });
    for (const url of urls) await queueAlertNotifications(client, a.event, { emails: [], webhookUrl: url });
    return a;
  });
  const rows = await prisma().webhookDelivery.findMany({ where: { alertId: alert.alertId }, orderBy: { url: "asc" } });
  return { org, alert, rows };
}

const delivery = (id: string) => prisma().webhookDelivery.findUniqueOrThrow({ where: { id } });
const makeDue = (id: string) => prisma().$executeRaw`UPDATE "WebhookDelivery" SET "nextAttemptAt" = now() - interval '1 second' WHERE id = ${id}`;
// Retries in milliseconds instead of seconds: a whole retry sequence runs in one test.
const FAST = { retryBaseMs: 1, retryMaxMs: 5 };

async function drainUntilSettled(id: string, policy = FAST) {
  for (let i = 0; i < 50; i++) {
    await drainWebhooks(policy);
    const row = await delivery(id);
    if (row.status !== "PENDING") return row;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("delivery still pending");
}

describe("webhook deliveries", () => {
  test("a customer's receiver verifies the signature with verifyBurnrateSignature, as documented; the secret is made at first use", async () => {
    const { org, alert, rows } = await queued([`${receiver.url}/hooks/burnrate`]);
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: org.id } })).webhookSecret).toBeNull();
    // The receiver: the raw body, the header, the secret copied from the settings page.
    receiver.handle(async (hook) => {
      const { webhookSecret } = await prisma().organization.findUniqueOrThrow({ where: { id: org.id } });
      const ok = verifyBurnrateSignature(webhookSecret!, hook.headers["burnrate-signature"] as string, hook.raw);
      return ok ? { status: 204 } : { status: 400, body: "bad signature" };
    });

    expect(await drainWebhooks()).toMatchObject({ claimed: 1, sent: 1 });
    const [hook] = receiver.received;
    expect(hook.path).toBe("/hooks/burnrate");
    expect(hook.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      "burnrate-delivery": rows[0].id,
      "burnrate-event": "budget.threshold_reached",
      "burnrate-signature": expect.stringMatching(/^t=\d{10},v1=[0-9a-f]{64}$/),
    });
    expect(Math.abs(Number(/t=(\d+)/.exec(hook.headers["burnrate-signature"] as string)![1]) - Date.now() / 1000)).toBeLessThan(5);
    expect(JSON.parse(hook.body)).toEqual(alert.event);
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: org.id } })).webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(await delivery(rows[0].id)).toMatchObject({ status: "SENT", responseStatus: 204, attempts: 1, lastError: null, sentAt: expect.any(Date) });
    expect(await drainWebhooks()).toMatchObject({ claimed: 0 });
  });

  test("a receiver holding an old secret refuses the signature: a 4xx fails the delivery at once, with the status and what it said", async () => {
    const { org, rows } = await queued([`${receiver.url}/hooks/old-secret`], { kind: "FORECAST" });
    const old = await ensureWebhookSecret(org.id);
    await prisma().organization.update({ where: { id: org.id }, data: { webhookSecret: "whsec_rotated" } });
    receiver.handle((hook) =>
      verifyBurnrateSignature(old, hook.headers["burnrate-signature"] as string, hook.raw) ? { status: 200 } : { status: 400, body: '{"error":"invalid signature"}' },
    );
    expect(await drainWebhooks()).toMatchObject({ failed: 1 });
    expect(receiver.received[0].headers["burnrate-event"]).toBe("budget.forecast_exceeded");
    expect(verifyBurnrateSignature("whsec_rotated", receiver.received[0].headers["burnrate-signature"] as string, receiver.received[0].raw)).toBe(true);
    expect(await delivery(rows[0].id)).toMatchObject({ status: "FAILED", responseStatus: 400, lastError: 'HTTP 400: {"error":"invalid signature"}' });
  });

  test("a receiver that fails 3 times and then answers 200: one delivery, SENT after 4 attempts, the same Burnrate-Delivery each time", async () => {
    const { rows } = await queued([`${receiver.url}/hooks/flaky`]);
    receiver.handle((_, index) => (index < 3 ? { status: 503, body: "Service Unavailable (deploy in progress)" } : { status: 200 }));

    // The first failure, with the real policy: kept error, backoff of 5–10 s (10 s with jitter).
    const t0 = Date.now();
    expect(await drainWebhooks()).toMatchObject({ claimed: 1, retried: 1 });
    const first = await delivery(rows[0].id);
    expect(first).toMatchObject({ status: "PENDING", attempts: 1, responseStatus: 503, lastError: "HTTP 503: Service Unavailable (deploy in progress)" });
    expect(first.nextAttemptAt.getTime() - t0).toBeGreaterThan(4_000);
    expect(first.nextAttemptAt.getTime() - t0).toBeLessThan(11_000);
    expect(await drainWebhooks()).toMatchObject({ claimed: 0 });

    await makeDue(rows[0].id);
    const done = await drainUntilSettled(rows[0].id);
    expect(done).toMatchObject({ status: "SENT", attempts: 4, responseStatus: 200, lastError: null });
    expect(receiver.received.map((r) => r.headers["burnrate-delivery"])).toEqual(Array(4).fill(rows[0].id));
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
  });

  test("429 with Retry-After is retried when the receiver asked, not sooner", async () => {
    const { rows } = await queued([`${receiver.url}/hooks/busy`]);
    receiver.handle(() => ({ status: 429, headers: { "Retry-After": "120" }, body: "slow down" }));
    const t0 = Date.now();
    expect(await drainWebhooks()).toMatchObject({ retried: 1 });
    const row = await delivery(rows[0].id);
    expect(row).toMatchObject({ status: "PENDING", responseStatus: 429, lastError: "HTTP 429: slow down" });
    expect(row.nextAttemptAt.getTime() - t0).toBeGreaterThan(119_000);
    expect(row.nextAttemptAt.getTime() - t0).toBeLessThan(122_000);
  });

  test("410 Gone fails permanently after one request; a redirect is not followed and fails too", async () => {
    const { rows } = await queued([`${receiver.url}/hooks/gone`, `${receiver.url}/hooks/moved`]);
    receiver.handle((hook) =>
      hook.path === "/hooks/gone" ? { status: 410, body: "This endpoint was deleted" } : { status: 301, headers: { Location: `${receiver.url}/hooks/new-place-with-a-long-secret-token` } },
    );
    expect(await drainWebhooks()).toMatchObject({ claimed: 2, failed: 2 });
    const gone = await delivery(rows.find((r) => r.url.endsWith("/gone"))!.id);
    const moved = await delivery(rows.find((r) => r.url.endsWith("/moved"))!.id);
    expect(gone).toMatchObject({ status: "FAILED", attempts: 1, responseStatus: 410, lastError: "HTTP 410: This endpoint was deleted", sentAt: null });
    expect(moved).toMatchObject({ status: "FAILED", responseStatus: 301, lastError: `HTTP 301: redirects are not followed (Location: ${receiver.url}/hooks/new-…); set the final URL` });
    expect(receiver.received.map((r) => r.path).sort()).toEqual(["/hooks/gone", "/hooks/moved"]);
    await makeDue(gone.id);
    expect(await drainWebhooks()).toMatchObject({ claimed: 0 });
  });

  test("a slow receiver times out (the row is retried) and the next attempt goes through", async () => {
    const { rows } = await queued([`${receiver.url}/hooks/slow`]);
    receiver.handle((_, index) => (index === 0 ? { status: 200, delayMs: 3_000 } : { status: 200 }));
    const t0 = performance.now();
    expect(await drainWebhooks({ timeoutMs: 300 })).toMatchObject({ retried: 1 });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(await delivery(rows[0].id)).toMatchObject({ status: "PENDING", attempts: 1, responseStatus: null, lastError: "No answer within 300 ms (timed out)" });
    await makeDue(rows[0].id);
    expect(await drainWebhooks({ timeoutMs: 300 })).toMatchObject({ sent: 1 });
    expect(await delivery(rows[0].id)).toMatchObject({ status: "SENT", attempts: 2 });
  });

  test("a receiver that is down (connection refused) is retried, and given up after the last attempt, saying so", async () => {
    const down = await startWebhookReceiver();
    const url = `${down.url}/hooks/down`;
    await down.close();
    const { rows } = await queued([url]);
    const row = await drainUntilSettled(rows[0].id, { ...FAST, maxAttempts: 3 } as typeof FAST);
    expect(row).toMatchObject({ status: "FAILED", attempts: 3, responseStatus: null, lastError: expect.stringMatching(/ECONNREFUSED.*\(gave up after 3 attempts\)$/) });
  });

  test("only the first KB of an answer are read: an endless body neither hangs the sender nor fills the row", async () => {
    const { rows } = await queued([`${receiver.url}/hooks/endless`]);
    receiver.handle((_, __, ___, res) => {
      res.writeHead(404, { "Content-Type": "text/plain" });
      const chunk = "x".repeat(64 * 1024);
      const timer = setInterval(() => res.write(chunk), 5);
      res.on("close", () => clearInterval(timer));
      return "handled";
    });
    const t0 = performance.now();
    expect(await drainWebhooks({ timeoutMs: 5_000 })).toMatchObject({ failed: 1 });
    expect(performance.now() - t0).toBeLessThan(2_000);
    const row = await delivery(rows[0].id);
    expect(row).toMatchObject({ status: "FAILED", responseStatus: 404 });
    expect(row.lastError!.length).toBeLessThan(300);
    expect(row.lastError).toMatch(/^HTTP 404: x+$/);
  });

  test("a Slack incoming-webhook URL gets Slack's message (text + blocks), unsigned", async () => {
    const forget = treatAsSlackForTests(receiver.host);
    try {
      const { alert, rows } = await queued([`${receiver.url}/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX`]);
      expect(await drainWebhooks()).toMatchObject({ sent: 1 });
      const [hook] = receiver.received;
      expect(hook.headers["burnrate-signature"]).toBeUndefined();
      expect(hook.headers).toMatchObject({ "content-type": "application/json", "user-agent": USER_AGENT, "burnrate-delivery": rows[0].id });
      const message = JSON.parse(hook.body);
      expect(Object.keys(message).sort()).toEqual(["blocks", "text"]);
      expect(message.text).toBe("Platform team budget at 85% — $8.50 of $10.00 (monthly)");
      const mrkdwn = JSON.stringify(message.blocks);
      for (const part of ["*Platform team budget* is at *85%*", "$8.50 of $10.00 (85%)", "team platform, monthly", "Nov 1 – 30, 2026", "$12.75", "`run-42` (pr-bot) — $3.10", "agent pr-bot — $5.20", "Also passed: 50%"]) {
        expect(mrkdwn).toContain(part);
      }
      expect(message.blocks.at(-1).elements[0]).toMatchObject({ type: "button", url: alert.event.dashboard_url });
    } finally {
      forget();
    }
  });

  test("senders racing on the same rows (two in this process, one in another process) deliver each once", async () => {
    const urls = Array.from({ length: 24 }, (_, i) => `${receiver.url}/hooks/race-${String(i).padStart(2, "0")}`);
    const { rows } = await queued(urls);
    // Each answer takes 30 ms, so the three senders overlap for the whole drain.
    receiver.handle(() => ({ status: 200, delayMs: 30 }));
    const other = runTs("lib/testing/webhook-sender.ts", { WAIT_FOR_GO: "1", BATCH_SIZE: "3" });
    await other.printed("ready");
    other.child.stdin!.end("go\n");
    const [a, b] = await Promise.all([drainWebhooks({ batchSize: 3 }), drainWebhooks({ batchSize: 3 })]);
    expect((await other.exited).code, other.output()).toBe(0);
    const c = JSON.parse(other.output().trim().split("\n").pop()!);

    for (const sender of [a, b, c]) expect(sender.sent).toBeGreaterThan(0);
    expect(a.sent + b.sent + c.sent).toBe(urls.length);
    expect(receiver.received).toHaveLength(urls.length);
    expect(new Set(receiver.received.map((r) => r.headers["burnrate-delivery"]))).toEqual(new Set(rows.map((r) => r.id)));
    const after = await prisma().webhookDelivery.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
    expect(after.every((r) => r.status === "SENT" && r.attempts === 1)).toBe(true);
  });

  test("a sender whose lease ran out cannot overwrite the outcome of the sender that claimed the row after it", async () => {
    const { rows } = await queued([`${receiver.url}/hooks/lease`]);
    // The first POST answers late (after the lease); the second at once.
    receiver.handle((_, index) => (index === 0 ? { status: 500, delayMs: 400 } : { status: 200 }));
    const late = drainWebhooks({ leaseMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const [first, second] = await Promise.all([late, drainWebhooks({ leaseMs: 50 })]);
    expect(second).toMatchObject({ claimed: 1, sent: 1 });
    // The late sender's 500 would have meant "retry": its mark is refused, the row stays SENT.
    expect(first).toMatchObject({ claimed: 1, superseded: 1 });
    expect(await delivery(rows[0].id)).toMatchObject({ status: "SENT", attempts: 2, responseStatus: 200 });
  });

  test("kicks deliver at once from this process, and a stopped sender cuts its requests short and leaves them for later", async () => {
    const { rows } = await queued([`${receiver.url}/hooks/kick`]);
    const t0 = performance.now();
    const result = await kickWebhooks();
    expect(result).toMatchObject({ sent: 1 });
    expect(receiver.received[0].at - (performance.timeOrigin + t0)).toBeLessThan(500);
    expect((await delivery(rows[0].id)).status).toBe("SENT");

    const slow = await queued([`${receiver.url}/hooks/stuck`]);
    receiver.handle(() => ({ status: 200, delayMs: 5_000 }));
    const kicked = kickWebhooks();
    while (!receiver.received.some((r) => r.path === "/hooks/stuck")) await new Promise((resolve) => setTimeout(resolve, 10));
    const stopping = performance.now();
    await stopWebhookSender();
    expect(performance.now() - stopping).toBeLessThan(1_000);
    expect(await kicked).toMatchObject({ retried: 1 });
    const row = await delivery(slow.rows[0].id);
    expect(row).toMatchObject({ status: "PENDING", attempts: 1, lastError: expect.stringMatching(/stopped/) });
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    expect(await kickWebhooks()).toMatchObject({ claimed: 0 });
    resumeWebhookSender();
  });

  test("the job tick runs the sender", () => {
    expect(JOBS.find((j) => j.name === "webhooks")?.run).toBe(kickWebhooks);
  });
});

describe("where webhooks may go (production rules)", () => {
  const production = { allowLocal: false };
  const options = { timeoutMs: 1_000, maxResponseBytes: 1024, policy: production };

  test("http://, loopback and private addresses are refused before any connection; so are names that resolve to them", async () => {
    for (const [url, problem] of [
      [`${receiver.url}/hooks`, "must start with https://"],
      ["https://127.0.0.1/hooks", "must point to a public address"],
      ["https://localhost/hooks", "must point to a public address"],
      ["https://[::1]/hooks", "must point to a public address"],
      ["https://10.1.2.3/hooks", "must point to a public address"],
      ["https://169.254.169.254/latest/meta-data", "must point to a public address"],
      ["https://user:pass@example.com/hooks", "must not contain a user name or password"],
      ["ftp://example.com/hooks", "must start with https://"],
    ] as const) {
      await expect(postWebhook(url, "{}", {}, options), url).rejects.toMatchObject({ permanent: true, message: `The webhook URL ${problem}` });
    }
    expect(receiver.received).toHaveLength(0);
    // A name is checked on what DNS answers, at connect time (a rebinding cannot slip through).
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup(production)("localhost", {}, (err) => resolve(err)));
    expect(error).toMatchObject({ code: "EWEBHOOKADDRESS", message: expect.stringMatching(/localhost resolves to a non-public address \((127\.0\.0\.1|::1)\)/) });
    const allowed = await new Promise<string>((resolve, reject) => guardedLookup({ allowLocal: true })("localhost", {}, (err, address) => (err ? reject(err) : resolve(address as string))));
    expect(["127.0.0.1", "::1"]).toContain(allowed);
  });

  test("a delivery whose URL is not allowed fails at once, naming the rule", async () => {
    const { rows } = await queued(["http://example.com/hooks/plain-http"]);
    expect(await drainWebhooks({}, production)).toMatchObject({ failed: 1 });
    expect(await delivery(rows[0].id)).toMatchObject({ status: "FAILED", attempts: 1, lastError: "The webhook URL must start with https://" });
  });

  test("the sender's policy: 10 s per request, a lease longer than that, about three hours of retries", () => {
    expect(WEBHOOK_POLICY).toMatchObject({ timeoutMs: 10_000, maxAttempts: 12 });
    expect(WEBHOOK_POLICY.leaseMs).toBeGreaterThan(WEBHOOK_POLICY.timeoutMs * 2);
  });
});
