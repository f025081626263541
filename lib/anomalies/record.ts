import type { PoolClient } from "pg";
import { alertRecipients, keyOf, kickAlertDeliveries } from "../alerts/notify";
import { isSlackWebhookUrl } from "../alerts/webhook-target";
import { withTransaction } from "../db";
import { prepareEmail } from "../email/templates/registry";
import { env } from "../env";
import { formatUsd } from "../money";
import { ANOMALY_KIND_LABEL, describeAnomaly, describeEvidence, type TAnomalyKindName } from "./describe";
import { ZAnomalyEvent, type TAnomalyEvent } from "./notice";

// What the detectors found becomes Anomaly rows, blocked executions and alerts — in ONE transaction
// per call, so an anomaly is never open without its alerts queued, nor an execution blocked
// without the anomaly that says why:
//   1. executions the circuit breaker stops are locked in key order and marked BLOCKED;
//   2. the anomalies are upserted on their open key (orgId, kind, subject): a new one is inserted,
//      an open one gets the grown evidence (never a second row, never a second alert);
//   3. whoever INSERTED a row queues its emails (the org's owners and admins) and its webhook (the
//      org's default) with idempotency keys. A concurrent detector on another replica conflicts
//      on the open key, waits for this commit, and only updates: exactly one alert.

export type TFinding = {
  orgId: string;
  kind: TAnomalyKindName;
  // "execution:<id>", "agent:<name>", "org", "agent:<name>|model:<model>".
  subject: string;
  executionId: string | null;
  agent: string | null;
  costUsd: string;
  // The breaker is on for this finding: stop the execution.
  block: boolean;
  evidence: Record<string, unknown>;
  // When it happened, if not now (the demo seed replaying its history).
  at?: Date;
};

export type TRecorded = {
  // Anomalies inserted by this call (each announced once).
  opened: number;
  // `${orgId}\u0000${executionId}` → the reason, for executions the breaker stopped (now or before).
  blocked: Map<string, string>;
};

const SEVERITY: Record<TAnomalyKindName, "LOW" | "MEDIUM" | "HIGH"> = {
  RETRY_LOOP: "HIGH",
  COST_SPIKE: "HIGH",
  CONTEXT_GROWTH: "MEDIUM",
  VELOCITY: "HIGH",
  MODEL_MISUSE: "LOW",
};

export const executionSubject = (executionId: string) => `execution:${executionId}`;
const key = (orgId: string, executionId: string) => `${orgId}\u0000${executionId}`;

export async function recordFindings(findings: readonly TFinding[]): Promise<TRecorded> {
  if (findings.length === 0) return { opened: 0, blocked: new Map() };
  // One row per open key (a statement may not upsert a row twice); fixed order against deadlocks.
  const unique = new Map<string, TFinding>();
  for (const f of findings) {
    const k = `${f.orgId}\u0000${f.kind}\u0000${f.subject}`;
    const seen = unique.get(k);
    unique.set(k, seen ? { ...f, block: f.block || seen.block } : f);
  }
  const rows = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f);
  const result = await withTransaction((client) => recordIn(client, rows));
  if (result.opened) kickAlertDeliveries();
  return result;
}

async function recordIn(client: PoolClient, findings: TFinding[]): Promise<TRecorded> {
  const blocked = new Map<string, string>();
  const toBlock = findings.filter((f) => f.block && f.executionId);
  if (toBlock.length) {
    const reasons = toBlock.map((f) => `${ANOMALY_KIND_LABEL[f.kind]}: ${describeEvidence(f.kind, f.evidence)}`.slice(0, 1000));
    // Locked in key order; a RUNNING one becomes BLOCKED, one already BLOCKED (by another replica's
    // detector a moment ago, or a budget) is reported with its reason — the caller's answer says
    // blocked either way.
    const { rows } = await client.query<{ orgId: string; executionId: string; blockedReason: string }>(
      `WITH want AS (SELECT DISTINCT ON (org, ex) org, ex, reason FROM unnest($1::text[], $2::text[], $3::text[]) AS w(org, ex, reason) ORDER BY org, ex),
       locked AS (
         SELECT e.id, e."orgId", e."executionId", e.status, e."blockedReason", want.reason
           FROM "Execution" e JOIN want ON e."orgId" = want.org AND e."executionId" = want.ex
          WHERE e.status IN ('RUNNING', 'BLOCKED') ORDER BY e."orgId", e."executionId" FOR UPDATE OF e
       ),
       upd AS (
         UPDATE "Execution" e SET status = 'BLOCKED', "blockedAt" = now(), "blockedReason" = locked.reason
           FROM locked WHERE e.id = locked.id AND locked.status = 'RUNNING'
         RETURNING e.id
       )
       SELECT l."orgId", l."executionId", CASE WHEN upd.id IS NULL THEN coalesce(l."blockedReason", l.reason) ELSE l.reason END AS "blockedReason"
         FROM locked l LEFT JOIN upd ON upd.id = l.id`,
      [toBlock.map((f) => f.orgId), toBlock.map((f) => f.executionId), reasons],
    );
    for (const r of rows) blocked.set(key(r.orgId, r.executionId), r.blockedReason);
  }

  const { rows: upserted } = await client.query<{
    id: string;
    orgId: string;
    kind: TAnomalyKindName;
    subject: string;
    executionId: string | null;
    agent: string | null;
    costUsd: string;
    blocked: boolean;
    evidence: Record<string, unknown>;
    detectedAt: Date;
    created: boolean;
  }>(
    `INSERT INTO "Anomaly" AS a (id, "orgId", kind, subject, "executionId", agent, severity, "costUsd", evidence, blocked, "detectedAt", "updatedAt")
     SELECT gen_random_uuid()::text, f.org, f.kind::"AnomalyKind", f.subject, f.ex, f.agent, f.severity::"Severity", f.cost::numeric, f.evidence::jsonb, f.blocked,
            coalesce(f.at, now()), coalesce(f.at, now())
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::timestamptz[])
            AS f(org, kind, subject, ex, agent, severity, cost, evidence, blocked, at)
     ON CONFLICT ("orgId", kind, subject) WHERE "resolvedAt" IS NULL DO UPDATE SET
       evidence = EXCLUDED.evidence,
       "costUsd" = greatest(a."costUsd", EXCLUDED."costUsd"),
       blocked = a.blocked OR EXCLUDED.blocked,
       "updatedAt" = coalesce(EXCLUDED."updatedAt", now())
     WHERE a.evidence IS DISTINCT FROM EXCLUDED.evidence OR (EXCLUDED.blocked AND NOT a.blocked)
     RETURNING a.id, a."orgId", a.kind::text AS kind, a.subject, a."executionId", a.agent, a."costUsd"::text AS "costUsd", a.blocked,
               a.evidence, a."detectedAt", (xmax = 0) AS created`,
    [
      findings.map((f) => f.orgId),
      findings.map((f) => f.kind),
      findings.map((f) => f.subject),
      findings.map((f) => f.executionId),
      findings.map((f) => f.agent),
      findings.map((f) => SEVERITY[f.kind]),
      findings.map((f) => f.costUsd),
      findings.map((f) => JSON.stringify(f.evidence)),
      findings.map((f) => !!f.executionId && blocked.has(key(f.orgId, f.executionId))),
      findings.map((f) => f.at ?? null),
    ],
  );

  const created = upserted.filter((a) => a.created);
  for (const anomaly of created) await queueAnomalyNotifications(client, anomaly);
  return { opened: created.length, blocked };
}

type TOpenedAnomaly = { id: string; orgId: string; kind: TAnomalyKindName; subject: string; executionId: string | null; agent: string | null; costUsd: string; blocked: boolean; evidence: Record<string, unknown>; detectedAt: Date };

export function appBaseUrl(): string {
  return (env().APP_URL ?? process.env.APP_URL ?? "http://localhost:3000").replace(/\/$/, "");
}

export function anomalyEvent(anomaly: TOpenedAnomaly, org: { slug: string; name: string }): TAnomalyEvent {
  const base = `${appBaseUrl()}/${org.slug}`;
  return ZAnomalyEvent.parse({
    id: anomaly.id,
    type: "anomaly.detected",
    created_at: new Date(anomaly.detectedAt).toISOString(),
    org,
    anomaly: {
      kind: anomaly.kind.toLowerCase(),
      summary: describeAnomaly(anomaly),
      execution_id: anomaly.executionId,
      agent: anomaly.agent,
      cost_usd: formatUsd(anomaly.costUsd),
      blocked: anomaly.blocked,
      evidence: anomaly.evidence,
    },
    dashboard_url: anomaly.executionId ? `${base}/executions/${encodeURIComponent(anomaly.executionId)}` : `${base}/anomalies`,
  });
}

// Emails to the org's owners and admins, the webhook to the org's default URL; idempotency keys
// make a repeat (a retried transaction) queue nothing more.
async function queueAnomalyNotifications(client: PoolClient, anomaly: TOpenedAnomaly): Promise<void> {
  const { rows } = await client.query<{ slug: string; name: string; webhook: string | null; emails: string[] }>(
    `SELECT o.slug, o.name, o."alertWebhookUrl" AS webhook,
            ARRAY(SELECT u.email FROM "Membership" m JOIN "User" u ON u.id = m."userId"
                   WHERE m."orgId" = o.id AND m.role IN ('OWNER', 'ADMIN') ORDER BY u.email) AS emails
       FROM "Organization" o WHERE o.id = $1`,
    [anomaly.orgId],
  );
  const org = rows[0];
  if (!org) return;
  const event = anomalyEvent(anomaly, { slug: org.slug, name: org.name });
  const recipients = alertRecipients(org.emails);
  if (recipients.length) {
    const { subject, payload } = prepareEmail("anomaly-alert", { event });
    await client.query(
      `INSERT INTO "EmailOutbox" (id, "orgId", "anomalyId", "to", subject, template, payload, "idempotencyKey")
       SELECT gen_random_uuid()::text, $1, $2, ARRAY[r.address], $3, 'anomaly-alert', $4::jsonb, r.key
         FROM unnest($5::text[], $6::text[]) AS r(address, key)
       ON CONFLICT ("idempotencyKey") DO NOTHING`,
      [anomaly.orgId, anomaly.id, subject, JSON.stringify(payload), recipients, recipients.map((r) => keyOf(`anomaly/${anomaly.id}`, r))],
    );
  }
  const url = org.webhook?.trim();
  if (url) {
    // Slack's incoming webhooks take their own message format.
    const body = isSlackWebhookUrl(url) ? JSON.stringify({ text: `:rotating_light: ${event.anomaly.summary}\n<${event.dashboard_url}|Open in Burnrate>` }) : JSON.stringify(event);
    await client.query(
      `INSERT INTO "WebhookDelivery" (id, "orgId", "anomalyId", url, body, "idempotencyKey")
       VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5)
       ON CONFLICT ("idempotencyKey") DO NOTHING`,
      [anomaly.orgId, anomaly.id, url, body, keyOf(`anomaly/${anomaly.id}`, url)],
    );
  }
}
