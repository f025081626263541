import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { z } from "zod";
import { createTestOrg } from "../testing/fixtures";
import { ev } from "../testing/events-api";
import { api, startMachineServer } from "../testing/machine-server";
import { openApiPath, ZErrorBody } from "./openapi";
import { MACHINE_ROUTES } from "./routes";
import { SPEND_GROUPS } from "../reports/spend";

let server: Awaited<ReturnType<typeof startMachineServer>>;
let document: any;
beforeAll(async () => {
  server = await startMachineServer();
  const res = await api(server.url, "/api/v1/openapi.json");
  expect(res.status).toBe(200);
  document = res.body;
});
afterAll(() => server.close());

const documented = MACHINE_ROUTES.filter((r) => r.handler.doc);

describe("the OpenAPI document", () => {
  test("is OpenAPI 3.1, served without a key, and names every machine route — and only those", () => {
    expect(document.openapi).toBe("3.1.0");
    const inDocument = Object.entries(document.paths).flatMap(([path, ops]: [string, any]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const routed = documented.map((r) => `${r.method} ${openApiPath(r.path)}`);
    expect(inDocument.sort()).toEqual(routed.sort());
    // Only the document itself is undocumented.
    expect(MACHINE_ROUTES.filter((r) => !r.handler.doc).map((r) => r.path)).toEqual(["/api/v1/openapi.json"]);
  });

  test("every operation says how to authenticate and what it answers; every $ref resolves", () => {
    for (const [path, ops] of Object.entries<any>(document.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        expect(op.security, `${method} ${path}`).toEqual([{ virtualKey: [] }, { virtualKeyHeader: [] }]);
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(["200", "401", "403", "422"]));
        expect(op.operationId).toMatch(/^[a-z][A-Za-z0-9]+$/);
      }
    }
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(document.components.schemas[ref], ref).toBeDefined();
    expect(JSON.stringify(document)).not.toContain("#/$defs/");
  });

  test("docs/api.md describes every documented route", () => {
    const prose = readFileSync("docs/api.md", "utf8");
    for (const route of documented) {
      const heading = `## ${route.method} ${openApiPath(route.path).replace("{id}", "{execution_id}")}`;
      expect(prose, heading).toContain(heading);
    }
  });

  test("documented paths are really routed: each answers, and not with a routing 404/405", async () => {
    for (const route of documented) {
      const path = route.path.replace(/:(\w+)/g, "x");
      const res = await api(server.url, path, { method: route.method, body: route.method === "POST" ? {} : undefined });
      expect(res.status, `${route.method} ${path}`).toBe(401);
    }
  });
});

// The document is generated from these schemas: real responses must satisfy them, field for field.
function schemaOf(method: string, path: string, status: number): z.ZodType {
  const route = MACHINE_ROUTES.find((r) => r.method === method && r.path === path)!;
  const response = route.handler.doc!.responses[status];
  expect(response, `${method} ${path} documents ${status}`).toBeDefined();
  return response.schema;
}

function conforms(schema: z.ZodType, body: unknown, what: string) {
  const result = schema.safeParse(body);
  expect(result.success, `${what}: ${JSON.stringify(result.error?.issues)} in ${JSON.stringify(body).slice(0, 500)}`).toBe(true);
}

describe("real responses match the document", () => {
  test("events 200 and 207, spend for every group_by, executions, execution end, and errors", async () => {
    const { secret } = await createTestOrg();
    const ok = await api(server.url, "/api/v1/events", { secret, body: { events: [ev("d1", { execution_id: "doc-run", agent: "a" }), ev("d2", { model: "no-such-model-xyz" })] } });
    expect(ok.status).toBe(200);
    conforms(schemaOf("POST", "/api/v1/events", 200), ok.body, "events 200");
    const partial = await api(server.url, "/api/v1/events", { secret, body: { events: [ev("d3"), { id: "bad" }] } });
    expect(partial.status).toBe(207);
    conforms(schemaOf("POST", "/api/v1/events", 207), partial.body, "events 207");

    for (const groupBy of [undefined, ...SPEND_GROUPS]) {
      const res = await api(server.url, `/api/v1/spend${groupBy ? `?group_by=${groupBy}` : ""}`, { secret });
      expect(res.status).toBe(200);
      conforms(schemaOf("GET", "/api/v1/spend", 200), res.body, `spend group_by=${groupBy}`);
    }
    const executions = await api(server.url, "/api/v1/executions?order=recent", { secret });
    conforms(schemaOf("GET", "/api/v1/executions", 200), executions.body, "executions");
    expect(executions.body.executions.length).toBe(1);

    const ended = await api(server.url, "/api/v1/executions/doc-run/end", { secret, method: "POST", body: { status: "done" } });
    conforms(schemaOf("POST", "/api/v1/executions/:id/end", 200), ended.body, "end");

    // An ask for more budget: made (201), the same again (200), polled (200).
    const made = await api(server.url, "/api/v1/approvals", { secret, body: { execution_id: "doc-run", amount_usd: "1", reason: "doc" } });
    expect(made.status).toBe(201);
    conforms(schemaOf("POST", "/api/v1/approvals", 201), made.body, "approval 201");
    const same = await api(server.url, "/api/v1/approvals", { secret, body: { execution_id: "doc-run", amount_usd: 1, reason: "doc" } });
    expect(same.status).toBe(200);
    conforms(schemaOf("POST", "/api/v1/approvals", 200), same.body, "approval 200");
    const polled = await api(server.url, `/api/v1/approvals/${made.body.id}`, { secret });
    conforms(schemaOf("GET", "/api/v1/approvals/:approval_id", 200), polled.body, "approval poll");

    // Every status a real response gives is one the document lists for that operation.
    const documentedStatuses = (method: string, path: string) => Object.keys(document.paths[path][method].responses).map(Number);
    const unknown = await api(server.url, "/api/v1/executions/nope/end", { secret, method: "POST", body: { status: "done" } });
    expect(documentedStatuses("post", "/api/v1/executions/{id}/end")).toContain(unknown.status);
    const tooMany = await api(server.url, "/api/v1/events", { secret, body: { events: Array.from({ length: 1001 }, (_, i) => ev(`m${i}`)) } });
    expect(documentedStatuses("post", "/api/v1/events")).toContain(tooMany.status);
    const noApproval = await api(server.url, "/api/v1/approvals/nope", { secret });
    expect(documentedStatuses("get", "/api/v1/approvals/{approval_id}")).toContain(noApproval.status);
    const noExecution = await api(server.url, "/api/v1/approvals", { secret, body: { execution_id: "nope", amount_usd: 1, reason: "r" } });
    expect(documentedStatuses("post", "/api/v1/approvals")).toContain(noExecution.status);
    for (const res of [
      unknown,
      noApproval,
      noExecution,
      tooMany,
      await api(server.url, "/api/v1/spend"),
      await api(server.url, "/api/v1/spend?group_by=planet", { secret }),
      await api(server.url, "/api/v1/events", { secret, body: { id: "" } }),
      await api(server.url, "/api/v1/nowhere", { secret }),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      conforms(ZErrorBody, res.body, `error ${res.status}`);
    }
  });
});
