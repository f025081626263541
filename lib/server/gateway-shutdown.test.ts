// A shutdown while a gateway call is being relayed (lib/gateway/relay.ts holds ingest for it): the
// HTTP drain cuts the stream off at its deadline, the ingest drain stops the provider call, and the
// call is stored with the usage seen — not refused because the server is shutting down. Its own
// file: draining lasts for the life of the process.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { routeMachineRequest } from "../api/routes";
import { drainIngest } from "../ingest/group-commit";
import { startFakeLlm, type TFakeLlm } from "../testing/fake-llm";
import { orgBehindGateway, storedEvents } from "../testing/gateway";
import { drainableHttp } from "./http-drain";

let fake: TFakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());

test("a stream still running at shutdown is cut off and stored with the input it had used", async () => {
  const server = createServer((req, res) => void routeMachineRequest(req, res));
  const http = drainableHttp(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const t = await orgBehindGateway(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, fake.url);
  fake.slowNextStream(300);
  const stream = await t.anthropic.messages.create({ model: "claude-sonnet-4-6", max_tokens: 64, stream: true, messages: [{ role: "user", content: "hi" }] });
  const reading = (async () => {
    try {
      for await (const event of stream) void event;
      return "completed";
    } catch {
      return "cut off";
    }
  })();
  await new Promise((r) => setTimeout(r, 700));
  // As lib/server/shutdown.ts does: the HTTP drain to its deadline, then the ingest drain.
  const { cutOff } = await http.close(Date.now() + 300);
  expect(cutOff).toBe(1);
  await drainIngest();
  expect(await reading).toBe("cut off");
  const rows = await storedEvents(t.org.id);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: "ERROR", provider: "anthropic", errorType: "server_shutdown" });
  // Anthropic says the input in its first event: it is billed, so it is counted.
  expect(Number(rows[0].inputTokens)).toBeGreaterThan(0);
});
