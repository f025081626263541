// An invitation is committed with its queued email; what happens to the email afterwards (sent,
// retrying, failed) never undoes the invitation and shows on the members page.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { closeDb, prisma } from "../db";
import { kickOutbox } from "../email/outbox";
import { startFakeResend, type TFakeResend } from "../testing/fake-resend";
import { addMember, createTestOrg, createUser } from "../testing/fixtures";
import { createPrivateDatabase } from "../testing/private-database";
import { inviteMemberAction } from "./actions";
import { listMembers } from "./members";

// Resend-mode senders run here: a database of this file's own (see lib/testing/private-database.ts).
const database = await createPrivateDatabase("invitations");
let fake: TFakeResend;
const saved = { key: process.env.RESEND_API_KEY, url: process.env.RESEND_BASE_URL };

beforeAll(async () => {
  fake = await startFakeResend();
  process.env.RESEND_BASE_URL = fake.url;
});
afterEach(() => {
  fake.received.length = 0;
});
afterAll(async () => {
  await fake.close();
  process.env.RESEND_API_KEY = saved.key;
  process.env.RESEND_BASE_URL = saved.url;
  if (saved.key === undefined) delete process.env.RESEND_API_KEY;
  if (saved.url === undefined) delete process.env.RESEND_BASE_URL;
  await closeDb();
  await database.drop();
});

async function ownerOfNewOrg() {
  const { org } = await createTestOrg();
  const owner = await createUser();
  await addMember(org.id, owner.id, "OWNER");
  return { org, owner };
}

async function inviteThroughTheAction(ownerId: string, slug: string) {
  const to = `inv-${randomBytes(5).toString("hex")}@example.test`;
  const result = await inviteMemberAction.runAs(ownerId, slug, { email: to, role: "MEMBER" });
  await kickOutbox();
  return { to, result };
}

describe("inviting while the email provider misbehaves", () => {
  test("Resend refusing the email (a bad API key): the invitation stands, the action succeeds, the list shows the email failed with Resend's error", async () => {
    process.env.RESEND_API_KEY = "re_not_the_right_key";
    const { org, owner } = await ownerOfNewOrg();
    const { to, result } = await inviteThroughTheAction(owner.id, org.slug);

    expect(result).toEqual({ ok: true, data: expect.any(String) });
    const { invitations } = await listMembers(org.id);
    expect(invitations).toHaveLength(1);
    expect(invitations[0]).toMatchObject({
      email: to,
      emailStatus: { status: "FAILED", attempts: 1, lastError: expect.stringContaining("API key is invalid"), sentAt: null },
    });
    expect(fake.sent()).toHaveLength(0);
  });

  test("Resend down: the email stays queued with the last error, to be retried", async () => {
    process.env.RESEND_API_KEY = fake.apiKey;
    fake.failNext(1, { status: 503, name: "internal_server_error", message: "Service unavailable." });
    const { org, owner } = await ownerOfNewOrg();
    const { result } = await inviteThroughTheAction(owner.id, org.slug);

    expect(result.ok).toBe(true);
    const [invitation] = (await listMembers(org.id)).invitations;
    expect(invitation.emailStatus).toMatchObject({ status: "PENDING", attempts: 1, lastError: expect.stringContaining("Service unavailable") });
  });

  test("Resend up: the email is sent, with Resend's id recorded", async () => {
    process.env.RESEND_API_KEY = fake.apiKey;
    const { org, owner } = await ownerOfNewOrg();
    const { to, result } = await inviteThroughTheAction(owner.id, org.slug);

    expect(result.ok).toBe(true);
    const [invitation] = (await listMembers(org.id)).invitations;
    expect(invitation.emailStatus).toMatchObject({ status: "SENT", lastError: null, sentAt: expect.any(Date) });
    expect(fake.sent().map((r) => r.body.to)).toEqual([[to]]);
    const row = await prisma().emailOutbox.findFirstOrThrow({ where: { orgId: org.id } });
    expect(row.providerId).toBe(fake.sent()[0].id);
  });
});
