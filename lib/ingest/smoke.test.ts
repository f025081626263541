import { afterAll, beforeAll, expect, test } from "vitest";
import { api, startMachineServer } from "../testing/machine-server";
import { createTestOrg } from "../testing/fixtures";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

test("an event is stored and shows in spend", async () => {
  const { secret } = await createTestOrg();
  const res = await api(server.url, "/api/v1/events", {
    secret,
    body: { id: "e1", model: "gpt-4o", provider: "openai", usage: { prompt_tokens: 1000, completion_tokens: 100 }, execution_id: "x1" },
  });
  console.log(JSON.stringify(res.body));
  expect(res.status).toBe(200);
  const spend = await api(server.url, "/api/v1/spend?group_by=model", { secret });
  console.log(JSON.stringify(spend.body));
  expect(spend.status).toBe(200);
});
