import { randomBytes } from "node:crypto";
import { afterAll, afterEach, expect, test } from "vitest";
import { closeDb, prisma } from "../db";
import { enqueueEmail } from "../email/outbox";
import { createPrivateDatabase } from "../testing/private-database";
import { handleCronTick } from "./cron";

// Ticks run the real jobs here: a database of this file's own (see runner.test.ts).
const database = await createPrivateDatabase("cron");
afterAll(async () => {
  await closeDb();
  await database.drop();
});

const saved = process.env.CRON_SECRET;
afterEach(() => {
  if (saved === undefined) delete process.env.CRON_SECRET;
  else process.env.CRON_SECRET = saved;
});

const SECRET = randomBytes(24).toString("hex");
const tick = (authorization?: string) =>
  handleCronTick(new Request("http://localhost/api/cron/tick", { method: "POST", headers: authorization ? { authorization } : {} }));

test("without CRON_SECRET the endpoint does not exist: 404 in the API's error shape", async () => {
  delete process.env.CRON_SECRET;
  const res = await tick(`Bearer ${SECRET}`);
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual({ error: { code: "not_found", message: "Not found" } });
});

test.each([
  ["no header", undefined],
  ["a wrong secret", `Bearer ${randomBytes(24).toString("hex")}`],
  ["a prefix of the secret", `Bearer ${SECRET.slice(0, -1)}`],
  ["the secret without Bearer", SECRET],
  ["Basic auth", `Basic ${Buffer.from(`x:${SECRET}`).toString("base64")}`],
])("%s: 401 JSON error, nothing runs", async (_label, authorization) => {
  process.env.CRON_SECRET = SECRET;
  const res = await tick(authorization);
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Missing or invalid cron secret" } });
});

test("the right secret runs one tick and reports each job", async () => {
  process.env.CRON_SECRET = SECRET;
  delete process.env.RESEND_API_KEY;
  const to = `cron-${randomBytes(5).toString("hex")}@example.test`;
  await enqueueEmail(prisma(), {
    template: "magic-link",
    to,
    idempotencyKey: `test/${to}`,
    payload: { url: "https://burnrate.example/api/auth/callback/email?token=t", host: "burnrate.example", expiresInMinutes: 15 },
  });
  const res = await tick(`Bearer ${SECRET}`);
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.ran).toBe(true);
  expect(body.jobs.find((j: { name: string }) => j.name === "email-outbox")).toMatchObject({ ok: true, result: { sent: 1 } });
  expect(body.jobs.find((j: { name: string }) => j.name === "webhooks")).toMatchObject({ ok: true, result: { claimed: 0 } });
  expect(await prisma().capturedEmail.count({ where: { to: { has: to } } })).toBe(1);
});
