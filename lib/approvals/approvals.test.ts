// Approvals end to end, through the machine API where an agent would go and the decision action
// where a person would: ask → email to the budget owners with signed links → approve / deny → the
// execution's limit and state, by every path (ingest answer, budget check, poll).
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool, prisma } from "../db";
import { createBudget } from "../budgets/manage";
import { resumeOutboxSender, stopOutboxSender } from "../email/outbox";
import { renderTemplate, withoutSecrets } from "../email/templates/registry";
import { addMember, createTestOrg, createUser } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { sleep } from "../testing/events-api";
import { decideApprovalAction } from "./actions";
import { ZApproval } from "./approval";
import { expireApprovals } from "./expire";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
  // The links are read from the queued rows: the sender would drop them once it sent the email.
  await stopOutboxSender();
});
afterAll(async () => {
  resumeOutboxSender();
  await server.close();
});

const post = (secret: string, body: unknown) => api(server.url, "/api/v1/events", { secret, body });
const spend = (id: string, usd: string, extra: Record<string, unknown> = {}) => ({ id, kind: "tool", cost_usd: usd, ...extra });
const ask = (secret: string, body: unknown, headers?: Record<string, string>) => api(server.url, "/api/v1/approvals", { secret, body, headers });
const poll = (secret: string, id: string) => api(server.url, `/api/v1/approvals/${encodeURIComponent(id)}`, { secret });
const check = (secret: string, query: string) => api(server.url, `/api/v1/budget?${query}`, { secret });

// An org with an owner and an admin (who decide and hear of asks), a viewer (neither).
async function orgWithPeople() {
  const t = await createTestOrg();
  const tag = randomBytes(3).toString("hex");
  const owner = await createUser(`owner-${tag}@example.test`);
  const admin = await createUser(`admin-${tag}@example.test`);
  const viewer = await createUser(`viewer-${tag}@example.test`);
  await addMember(t.org.id, owner.id, "OWNER");
  await addMember(t.org.id, admin.id, "ADMIN");
  await addMember(t.org.id, viewer.id, "VIEWER");
  return { ...t, owner, admin, viewer };
}

type TWorld = Awaited<ReturnType<typeof orgWithPeople>>;

async function statusOf(orgId: string, executionId: string, want?: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const e = await prisma().execution.findFirstOrThrow({ where: { orgId, executionId } });
    if (!want || e.status === want) return e.status;
    await sleep(50);
  }
  return (await prisma().execution.findFirstOrThrow({ where: { orgId, executionId } })).status;
}

// run-1 over an "each execution" BLOCK budget of $5: 6.00 spent, blocked.
async function blockedOverBudget(w: TWorld, executionId = "run-1", extra: Record<string, unknown> = {}) {
  await post(w.secret, spend(`${executionId}-a`, "3", { execution_id: executionId, ...extra }));
  const res = await post(w.secret, spend(`${executionId}-b`, "3", { execution_id: executionId, ...extra }));
  expect(res.body.execution.state).toBe("blocked");
  expect(await statusOf(w.org.id, executionId, "BLOCKED")).toBe("BLOCKED");
}

async function emailsOf(orgId: string) {
  return prisma().emailOutbox.findMany({ where: { orgId, template: "approval-request" }, orderBy: { createdAt: "asc" } });
}

// The Approve / Deny links of an approval email, as the page reads them.
function linksOf(payload: unknown) {
  const p = payload as { approveUrl: string; denyUrl: string };
  const read = (url: string) => {
    const u = new URL(url);
    return { path: u.pathname, decision: u.searchParams.get("decision") as "approve" | "deny", expires: Number(u.searchParams.get("expires")), sig: u.searchParams.get("sig")! };
  };
  return { approve: read(p.approveUrl), deny: read(p.denyUrl) };
}

const decide = (userId: string, orgSlug: string, approvalId: string, link: { decision: string; expires: number; sig: string }) =>
  decideApprovalAction.runAs(userId, orgSlug, { approvalId, decision: link.decision, expires: link.expires, sig: link.sig });

describe("asking, approving, denying", () => {
  test("ask → the owners are emailed both links → approve: unblocked, limit raised by exactly the amount, blocked again when it is used up", async () => {
    const w = await orgWithPeople();
    const budget = await createBudget(w.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "5", period: "TOTAL", enforcement: "BLOCK" });
    await blockedOverBudget(w);
    expect((await check(w.secret, "execution_id=run-1")).body.allowed).toBe(false);

    const res = await ask(w.secret, { execution_id: "run-1", amount_usd: "4", reason: "40 of 52 tables migrated; the rest need about $3" });
    expect(res.status).toBe(201);
    expect(ZApproval.safeParse(res.body).success).toBe(true);
    expect(res.body).toMatchObject({ status: "pending", execution_id: "run-1", task: null, amount_usd: "4.00", decided_at: null, new_limit_usd: null });
    expect(res.headers.get("location")).toBe(`/api/v1/approvals/${res.body.id}`);
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)).toBe(24 * 3_600_000);

    // One email per owner / admin (the budget has no recipients of its own), none to the viewer.
    const emails = await emailsOf(w.org.id);
    expect(emails.map((e) => e.to[0]).sort()).toEqual([w.owner.email, w.admin.email].sort());
    expect(emails[0].subject).toBe("Approve $4.00 more for execution run-1?");
    const links = linksOf(emails[0].payload);
    expect(links.approve).toMatchObject({ path: `/${w.org.slug}/approvals/${res.body.id}`, decision: "approve" });
    expect(links.deny).toMatchObject({ path: `/${w.org.slug}/approvals/${res.body.id}`, decision: "deny" });
    expect(links.approve.sig).not.toBe(links.deny.sig);
    expect(emails[0].payload).toMatchObject({ spentUsd: "6.000000000000", limitUsd: "5.000000000000", amountUsd: "4.000000000000" });
    expect((emails[0].payload as { blockedReason: string }).blockedReason).toMatch(/6\.00 of 5\.00/);
    // The email says it in words, with both links.
    const rendered = await renderTemplate("approval-request", emails[0].payload);
    for (const text of ["run-1", "$6.00 of its $5.00 limit", "$4.00 more", "40 of 52 tables migrated", (emails[0].payload as { approveUrl: string }).approveUrl, (emails[0].payload as { denyUrl: string }).denyUrl]) {
      expect(rendered.text).toContain(text);
    }
    // Once sent, the outbox keeps no live link.
    expect(withoutSecrets("approval-request", emails[0].payload)).not.toHaveProperty("approveUrl");

    // A viewer may not decide, even with the link.
    expect(await decide(w.viewer.id, w.org.slug, res.body.id, links.approve)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const approved = await decide(w.admin.id, w.org.slug, res.body.id, links.approve);
    expect(approved).toMatchObject({ ok: true, data: { status: "approved", resumed: ["run-1"], stillOver: false, newLimitUsd: "9.000000000000" } });

    expect(await statusOf(w.org.id, "run-1")).toBe("RUNNING");
    const allowed = await check(w.secret, "execution_id=run-1");
    expect(allowed.body).toMatchObject({ allowed: true, reason: null, execution: { state: "running" } });
    expect(allowed.body.budgets).toEqual([expect.objectContaining({ budget_id: budget.id, item: "run-1", limit_usd: "9.00", spent_usd: "6.00", remaining_usd: "3.00" })]);
    // Every other execution keeps the budget's own $5.
    expect((await check(w.secret, "execution_id=run-2")).body.budgets[0]).toMatchObject({ limit_usd: "5.00" });

    const polled = await poll(w.secret, res.body.id);
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({ status: "approved", new_limit_usd: "9.00" });
    expect(polled.body.decided_at).toEqual(expect.any(String));

    // It runs up to the new limit, and is blocked again there.
    expect((await post(w.secret, spend("run-1-c", "2.5", { execution_id: "run-1" }))).body.execution.state).not.toBe("blocked");
    expect((await post(w.secret, spend("run-1-d", "0.5", { execution_id: "run-1" }))).body.execution.state).toBe("blocked");
    expect(await statusOf(w.org.id, "run-1", "BLOCKED")).toBe("BLOCKED");
    expect((await check(w.secret, "execution_id=run-1")).body.allowed).toBe(false);

    // Audited with the approver; the resume too.
    const audit = await prisma().auditLog.findMany({ where: { orgId: w.org.id, action: { in: ["approval.requested", "approval.approved", "execution.resumed"] } }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, a.actorId]).sort()).toEqual([
      ["approval.approved", w.admin.id],
      ["approval.requested", null],
      ["execution.resumed", w.admin.id],
    ]);
    // A second click on the used link — or on the other one — is refused, saying why.
    const again = await decide(w.owner.id, w.org.slug, res.body.id, links.approve);
    expect(again).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(!again.ok && again.error.message).toMatch(/already approved/);
    expect(await decide(w.owner.id, w.org.slug, res.body.id, links.deny)).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(await prisma().budgetAllowance.count({ where: { orgId: w.org.id } })).toBe(1);
  });

  test("deny: it stays blocked, the poll says denied, and the approve link is dead afterwards", async () => {
    const w = await orgWithPeople();
    await createBudget(w.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "5", period: "TOTAL", enforcement: "BLOCK" });
    await blockedOverBudget(w);
    const res = await ask(w.secret, { execution_id: "run-1", amount_usd: 2, reason: "please" });
    const links = linksOf((await emailsOf(w.org.id))[0].payload);
    expect(await decide(w.owner.id, w.org.slug, res.body.id, links.deny)).toMatchObject({ ok: true, data: { status: "denied", resumed: [] } });
    expect(await statusOf(w.org.id, "run-1")).toBe("BLOCKED");
    expect((await check(w.secret, "execution_id=run-1")).body).toMatchObject({ allowed: false });
    expect((await poll(w.secret, res.body.id)).body).toMatchObject({ status: "denied", new_limit_usd: null });
    expect(await decide(w.owner.id, w.org.slug, res.body.id, links.approve)).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(await prisma().budgetAllowance.count({ where: { orgId: w.org.id } })).toBe(0);
    // Decided, the execution may ask again: a new ask, a new email.
    const second = await ask(w.secret, { execution_id: "run-1", amount_usd: 1, reason: "smaller, then" });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(res.body.id);
  });

  test("expired: the poll says so at once, a decision is refused with a clear message, the job stores it", async () => {
    const w = await orgWithPeople();
    await blockedByLoop(w, "run-late");
    const res = await ask(w.secret, { execution_id: "run-late", amount_usd: "1", reason: "r" });
    const links = linksOf((await emailsOf(w.org.id))[0].payload);
    await pool().query(`UPDATE "Approval" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [res.body.id]);
    expect((await poll(w.secret, res.body.id)).body.status).toBe("expired");
    const late = await decide(w.owner.id, w.org.slug, res.body.id, links.approve);
    expect(late).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(!late.ok && late.error.message).toMatch(/expired .*ask again/);
    expect(await statusOf(w.org.id, "run-late")).toBe("BLOCKED");
    // Another pending one, past its time too, for the job.
    const other = await ask(w.secret, { execution_id: "run-late", amount_usd: "1", reason: "r2" });
    expect(other.status).toBe(201);
    await pool().query(`UPDATE "Approval" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [other.body.id]);
    expect((await expireApprovals()).expired).toBeGreaterThanOrEqual(1);
    const rows = await prisma().approval.findMany({ where: { orgId: w.org.id } });
    expect(rows.map((r) => r.status)).toEqual(["EXPIRED", "EXPIRED"]);
  });

  test("a forged or edited link is refused and changes nothing", async () => {
    const w = await orgWithPeople();
    await blockedByLoop(w, "run-f");
    const res = await ask(w.secret, { execution_id: "run-f", amount_usd: "1", reason: "r" });
    const { approve, deny } = linksOf((await emailsOf(w.org.id))[0].payload);
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
    for (const forged of [
      { ...approve, sig: flip(approve.sig) },
      { ...deny, decision: "approve" },
      { ...approve, expires: approve.expires + 3600 },
      { ...approve, sig: "x".repeat(43) },
    ]) {
      expect(await decide(w.owner.id, w.org.slug, res.body.id, forged)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    }
    // Malformed: the action's own validation.
    expect(await decide(w.owner.id, w.org.slug, res.body.id, { ...approve, sig: "short" })).toMatchObject({ ok: false, error: { code: "invalid_request" } });
    // A genuine link of one approval does not decide another.
    const other = await ask(w.secret, { task: "nightly", amount_usd: "1", reason: "r" }).catch(() => null);
    expect(other?.status).toBe(404);
    expect((await poll(w.secret, res.body.id)).body.status).toBe("pending");
    expect(await statusOf(w.org.id, "run-f")).toBe("BLOCKED");
  });

  test("another org can neither read nor decide an approval", async () => {
    const a = await orgWithPeople();
    const b = await orgWithPeople();
    await blockedByLoop(a, "run-a");
    const res = await ask(a.secret, { execution_id: "run-a", amount_usd: "1", reason: "r" });
    const { approve } = linksOf((await emailsOf(a.org.id))[0].payload);
    expect((await poll(b.secret, res.body.id)).status).toBe(404);
    expect((await poll(b.secret, res.body.id)).body.error.code).toBe("not_found");
    // B's owner on A's org: not a member, so no such org; on B's org with A's id: not B's link.
    expect(await decide(b.owner.id, a.org.slug, res.body.id, approve)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect((await decide(b.owner.id, b.org.slug, res.body.id, approve)).ok).toBe(false);
    expect((await poll(a.secret, res.body.id)).body.status).toBe("pending");
    // And B cannot ask about A's execution.
    expect((await ask(b.secret, { execution_id: "run-a", amount_usd: "1", reason: "r" })).status).toBe(404);
  });
});

// run blocked by the circuit breaker (a retry loop), no budget.
async function blockedByLoop(w: TWorld, executionId: string, extra: Record<string, unknown> = {}) {
  const base = Date.now() - 60_000;
  const events = [1, 2, 3].map((i) => ({
    id: `${executionId}-loop-${i}`,
    timestamp: new Date(base + i * 5000).toISOString(),
    execution_id: executionId,
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    usage: { input_tokens: 10_000, output_tokens: 0 },
    status: "error",
    error_type: "rate_limit",
    attempt: i,
    ...extra,
  }));
  expect((await post(w.secret, { events })).body.execution.state).toBe("blocked");
}

describe("what an approval unblocks", () => {
  test("stopped by the circuit breaker: approving resumes it (resolving its anomaly) and gives it a limit of its own, spent + amount", async () => {
    const w = await orgWithPeople();
    await blockedByLoop(w, "run-loop");
    const spent = (await prisma().execution.findFirstOrThrow({ where: { orgId: w.org.id, executionId: "run-loop" } })).costUsd.toString();
    const res = await ask(w.secret, { execution_id: "run-loop", amount_usd: "0.5", reason: "fixed the prompt" });
    const { approve } = linksOf((await emailsOf(w.org.id))[0].payload);
    expect(await decide(w.owner.id, w.org.slug, res.body.id, approve)).toMatchObject({ ok: true, data: { status: "approved", resumed: ["run-loop"] } });
    const budget = await prisma().budget.findFirstOrThrow({ where: { orgId: w.org.id } });
    expect(budget).toMatchObject({ scope: "EXECUTION", scopeValue: "run-loop", enforcement: "BLOCK", period: "TOTAL" });
    expect(budget.amountUsd.toString()).toBe(String(Number(spent) + 0.5));
    expect(await prisma().anomaly.count({ where: { orgId: w.org.id, resolvedAt: null } })).toBe(0);
    const allowed = await check(w.secret, "execution_id=run-loop");
    expect(allowed.body).toMatchObject({ allowed: true });
    expect(allowed.body.budgets[0].remaining_usd).toBe("0.50");
  });

  test("a task: its TASK budget's limit for that task rises, and all its blocked executions run again", async () => {
    const w = await orgWithPeople();
    await createBudget(w.org.id, null, { scope: "TASK", scopeValue: "*", amountUsd: "5", period: "TOTAL", enforcement: "BLOCK" });
    await post(w.secret, spend("t1", "3", { execution_id: "run-t1", task: "migrate" }));
    await post(w.secret, spend("t2", "3", { execution_id: "run-t2", task: "migrate" }));
    expect(await statusOf(w.org.id, "run-t1", "BLOCKED")).toBe("BLOCKED");
    expect(await statusOf(w.org.id, "run-t2", "BLOCKED")).toBe("BLOCKED");
    const res = await ask(w.secret, { task: "migrate", amount_usd: "10", reason: "the big tables" });
    expect(res.body).toMatchObject({ status: "pending", task: "migrate", execution_id: null });
    const { approve } = linksOf((await emailsOf(w.org.id))[0].payload);
    expect(await decide(w.owner.id, w.org.slug, res.body.id, approve)).toMatchObject({ ok: true, data: { resumed: ["run-t1", "run-t2"], newLimitUsd: "15.000000000000" } });
    expect(await statusOf(w.org.id, "run-t1")).toBe("RUNNING");
    const allowed = await check(w.secret, "task=migrate");
    expect(allowed.body).toMatchObject({ allowed: true, budgets: [expect.objectContaining({ item: "migrate", limit_usd: "15.00", spent_usd: "6.00" })] });
  });

  test("an execution's approval also raises its task's BLOCK budget, so the task's limit does not stop it at once", async () => {
    const w = await orgWithPeople();
    await createBudget(w.org.id, null, { scope: "TASK", scopeValue: "*", amountUsd: "5", period: "TOTAL", enforcement: "BLOCK" });
    await post(w.secret, spend("x1", "6", { execution_id: "run-x", task: "etl" }));
    expect(await statusOf(w.org.id, "run-x", "BLOCKED")).toBe("BLOCKED");
    const res = await ask(w.secret, { execution_id: "run-x", amount_usd: "2", reason: "r" });
    const { approve } = linksOf((await emailsOf(w.org.id))[0].payload);
    expect(await decide(w.owner.id, w.org.slug, res.body.id, approve)).toMatchObject({ ok: true, data: { resumed: ["run-x"] } });
    const allowed = await check(w.secret, "execution_id=run-x&task=etl");
    expect(allowed.body.allowed).toBe(true);
    expect(allowed.body.budgets.map((b: { scope: string; limit_usd: string }) => [b.scope, b.limit_usd]).sort()).toEqual([
      ["execution", "8.00"],
      ["task", "7.00"],
    ]);
  });

  test("an amount smaller than the overshoot: approved, the new limit recorded, but it stays blocked (still over)", async () => {
    const w = await orgWithPeople();
    await createBudget(w.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "5", period: "TOTAL", enforcement: "BLOCK" });
    await blockedOverBudget(w);
    const res = await ask(w.secret, { execution_id: "run-1", amount_usd: "0.5", reason: "a little" });
    const { approve } = linksOf((await emailsOf(w.org.id))[0].payload);
    expect(await decide(w.owner.id, w.org.slug, res.body.id, approve)).toMatchObject({ ok: true, data: { status: "approved", stillOver: true, resumed: [] } });
    expect(await statusOf(w.org.id, "run-1")).toBe("BLOCKED");
    expect((await poll(w.secret, res.body.id)).body).toMatchObject({ status: "approved", new_limit_usd: "5.50" });
  });
});

describe("one ask, one approval, one email per recipient", () => {
  test("20 identical POSTs at once (with and without an Idempotency-Key) make one approval and one email per recipient", async () => {
    const w = await orgWithPeople();
    await createBudget(w.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "5", period: "TOTAL", enforcement: "BLOCK", recipients: ["Fin@Example.test", "lead@example.test"] });
    await blockedOverBudget(w);
    const body = { execution_id: "run-1", amount_usd: "3", reason: "same ask" };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(w.secret, body, i % 2 ? { "Idempotency-Key": "ask-1" } : undefined)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(19).fill(200), 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await prisma().approval.count({ where: { orgId: w.org.id } })).toBe(1);
    // The budget's own recipients, each once (not the owners: the budget names who hears of it).
    expect((await emailsOf(w.org.id)).map((e) => e.to[0]).sort()).toEqual(["fin@example.test", "lead@example.test"]);
  });

  test("Idempotency-Key: a repeat answers the same approval even once decided; reused for another ask it is a 409", async () => {
    const w = await orgWithPeople();
    await blockedByLoop(w, "run-i");
    await blockedByLoop(w, "run-j");
    const first = await ask(w.secret, { execution_id: "run-i", amount_usd: "1", reason: "r" }, { "Idempotency-Key": "k-1" });
    expect(first.status).toBe(201);
    const { deny } = linksOf((await emailsOf(w.org.id))[0].payload);
    await decide(w.owner.id, w.org.slug, first.body.id, deny);
    const repeat = await ask(w.secret, { execution_id: "run-i", amount_usd: 1, reason: "r" }, { "Idempotency-Key": "k-1" });
    expect(repeat).toMatchObject({ status: 200, body: { id: first.body.id, status: "denied" } });
    const reused = await ask(w.secret, { execution_id: "run-j", amount_usd: "1", reason: "r" }, { "Idempotency-Key": "k-1" });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe("conflict");
    expect((await ask(w.secret, { execution_id: "run-j", amount_usd: "1", reason: "r" }, { "Idempotency-Key": "bad key with spaces" })).status).toBe(422);
    expect(await prisma().approval.count({ where: { orgId: w.org.id } })).toBe(1);
  });
});

describe("the POST body", () => {
  test("bad input is a 422 naming the field; an unknown execution or task a 404; a read-only key a 403", async () => {
    const w = await orgWithPeople();
    await blockedByLoop(w, "run-v");
    const cases: [unknown, string][] = [
      [{ amount_usd: "1", reason: "r" }, "execution_id"],
      [{ execution_id: "run-v", task: "t", amount_usd: "1", reason: "r" }, "execution_id"],
      [{ execution_id: "run-v", amount_usd: "0", reason: "r" }, "amount_usd"],
      [{ execution_id: "run-v", amount_usd: -1, reason: "r" }, "amount_usd"],
      [{ execution_id: "run-v", amount_usd: "1e3", reason: "r" }, "amount_usd"],
      [{ execution_id: "run-v", amount_usd: "100000.01", reason: "r" }, "amount_usd"],
      [{ execution_id: "run-v", amount_usd: 0.0000001, reason: "r" }, "amount_usd"],
      [{ execution_id: "run-v", amount_usd: "1", reason: "" }, "reason"],
      [{ execution_id: "run-v", amount_usd: "1", reason: "x".repeat(1001) }, "reason"],
      [{ execution_id: "run-v", amount_usd: "1", reason: "r", extra: 1 }, "extra"],
      [{ execution_id: "run-v", amount_usd: "1", reason: "\ud800" }, "reason"],
    ];
    for (const [body, path] of cases) {
      const res = await ask(w.secret, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await ask(w.secret, { execution_id: "nope", amount_usd: "1", reason: "r" })).status).toBe(404);
    expect((await ask(w.secret, { task: "nope", amount_usd: "1", reason: "r" })).status).toBe(404);
    const reader = await createTestOrg({ scopes: ["read"] });
    expect((await ask(reader.secret, { execution_id: "run-v", amount_usd: "1", reason: "r" })).status).toBe(403);
    expect((await poll(reader.secret, "nope")).status).toBe(404);
    expect(await prisma().approval.count({ where: { orgId: w.org.id } })).toBe(0);
  });

  test("fuzzed bodies: never a 5xx, never a half-written approval", async () => {
    const w = await orgWithPeople();
    await blockedByLoop(w, "run-z");
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("run-z", "", " ", "\u0000", "\ud800", "x".repeat(1001)));
    const amount = fc.oneof(
      fc.double({ noNaN: false }),
      fc.integer(),
      fc.constantFrom("1", "0", "-1", "1.1234567", "99999.99", "1e2", " 2 ", "", "NaN", "Infinity"),
      fc.string({ maxLength: 12 }),
      fc.constant(null),
    );
    const body = fc.oneof(
      fc.record({ execution_id: text, task: text, amount_usd: amount, reason: text, extra: fc.anything() }, { requiredKeys: [] }),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        // (An undefined body would make the helper send a GET.)
        const res = await ask(w.secret, b === undefined ? null : b);
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        expect([200, 201, 400, 404, 409, 422]).toContain(res.status);
      }),
      { numRuns: 150 },
    );
    // Whatever was stored is whole: one subject, a positive amount, a reason, one email per recipient.
    const rows = await prisma().approval.findMany({ where: { orgId: w.org.id } });
    for (const r of rows) {
      expect((r.executionId === null) !== (r.task === null)).toBe(true);
      expect(Number(r.amountUsd)).toBeGreaterThan(0);
      expect(r.reason.length).toBeGreaterThan(0);
    }
    expect(rows.length).toBeLessThanOrEqual(1);
    expect((await emailsOf(w.org.id)).length).toBe(rows.length * 2);
  });
});
