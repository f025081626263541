// An anomaly's webhook goes through the same sender as budget alerts: the org's default URL gets
// one signed `anomaly.detected` POST, verifiable as docs/api.md shows, however often the loop is seen.
import { afterAll, beforeAll, expect, test } from "vitest";
import { closeDb, prisma } from "../db";
import { verifyBurnrateSignature } from "../alerts/signature";
import { drainWebhooks } from "../alerts/webhooks";
import { createTestOrg } from "../testing/fixtures";
import { createPrivateDatabase } from "../testing/private-database";
import { ingestAt } from "../testing/usage";
import { startWebhookReceiver, type TWebhookReceiver } from "../testing/webhook-receiver";
import { detectAfterWrite } from "./on-ingest";
import { ZAnomalyEvent } from "./notice";

// The webhook queue is one per database: a database of this file's own.
const database = await createPrivateDatabase("anomaly_webhooks");
let receiver: TWebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
  await closeDb();
  await database.drop();
});

test("one signed anomaly.detected webhook per anomaly, with the evidence in words", async () => {
  const t = await createTestOrg();
  await prisma().organization.update({ where: { id: t.org.id }, data: { alertWebhookUrl: `${receiver.url}/hooks` } });
  const now = new Date();
  const call = (i: number) => ({ id: `c${i}`, timestamp: new Date(now.getTime() - 60_000 + i * 5_000).toISOString(), execution_id: "run-7f", agent: "migration-bot", model: "gpt-4o", usage: { prompt_tokens: 40_000, completion_tokens: 0 }, status: "error", error_type: "rate_limit" });
  await ingestAt(t, [1, 2, 3].map(call), now);
  await detectAfterWrite([{ orgId: t.org.id, executionId: "run-7f" }]);
  await ingestAt(t, [4].map(call), now);
  await detectAfterWrite([{ orgId: t.org.id, executionId: "run-7f" }]); // the loop grew: evidence updated, no second webhook
  // The commit's own kick may already be sending it; a drain sends whatever is left.
  await drainWebhooks();
  for (const until = Date.now() + 10_000; receiver.received.length === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
  await drainWebhooks();
  await new Promise((r) => setTimeout(r, 300)); // a second delivery would have arrived by now
  expect(receiver.received).toHaveLength(1);
  const hook = receiver.received[0];
  expect(hook.headers["burnrate-event"]).toBe("anomaly.detected");
  const { webhookSecret } = await prisma().organization.findUniqueOrThrow({ where: { id: t.org.id } });
  expect(verifyBurnrateSignature(webhookSecret!, hook.headers["burnrate-signature"] as string, hook.raw)).toBe(true);
  const event = ZAnomalyEvent.parse(JSON.parse(hook.body));
  expect(event.anomaly).toMatchObject({ kind: "retry_loop", execution_id: "run-7f", agent: "migration-bot", blocked: true, cost_usd: "0.30" });
  expect(event.anomaly.summary).toBe("run run-7f (migration-bot): 3 identical calls to gpt-4o failing with rate_limit in 10 s, $0.30");
  expect(event.dashboard_url).toMatch(new RegExp(`/${t.org.slug}/executions/run-7f$`));
});
