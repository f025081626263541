import { readdir, readFile } from "node:fs/promises";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api, startMachineServer } from "../testing/machine-server";
import { MACHINE_ROUTES } from "./routes";
import { isMachinePath, NEXT_API_ROUTES } from "./router";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

describe("paths that match no machine route answer the JSON error shape, never Next's HTML page", () => {
  test.each(["/api", "/api/v1", "/api/v1/", "/api/v2/events", "/api/v1/nope", "/api/events", "/api/v1/events/extra"])("GET %s → 404 JSON", async (path) => {
    const res = await api(server.url, path);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: { code: "not_found", message: expect.stringContaining(path) } });
  });

  test("a wrong method → 405 with Allow", async () => {
    const res = await api(server.url, "/api/v1/events", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(res.body.error.code).toBe("method_not_allowed");
  });
});

test("Next keeps exactly the API routes it serves (app/api/**/route.ts), with their methods", async () => {
  const files = (await readdir("app/api", { recursive: true })).filter((f) => f.endsWith("route.ts")).map((f) => `app/api/${f}`);
  expect(NEXT_API_ROUTES.map((r) => r.file).sort()).toEqual(files.sort());
  for (const r of NEXT_API_ROUTES) {
    const source = await readFile(r.file, "utf8");
    const exported = [...source.matchAll(/\b(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]);
    expect([...new Set(exported)].sort(), r.file).toEqual([...r.methods].sort());
  }
  expect(isMachinePath("/api/cron/tick", "POST")).toBe(false);
  expect(isMachinePath("/api/cron/tick", "GET")).toBe(true);
  expect(isMachinePath("/api/auth/csrf", "GET")).toBe(false);
  expect(isMachinePath("/api/auth/callback/email", "GET")).toBe(false);
  expect(isMachinePath("/api/auth/nope", "GET")).toBe(true);
  for (const route of MACHINE_ROUTES) expect(isMachinePath(route.path, route.method), route.path).toBe(true);
  expect(isMachinePath("/apidocs")).toBe(false);
  expect(isMachinePath("/acme/overview")).toBe(false);
});

describe("requests Next would choke on are the router's 400s, not 500s", () => {
  // Raw request targets fetch() would never send.
  const raw = (target: string, method = "GET") =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(server.url);
      const req = request({ host: url.hostname, port: url.port, method, path: target }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });

  test.each([["*", "OPTIONS"], ["http://[::1", "GET"], ["http://a:b@/api/v1/spend", "GET"], ["//evil/api/v1/spend", "GET"]])("%s %s", async (target, method) => {
    const res = await raw(target, method);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("bad_request");
  });

  test("an id with NUL or a lone surrogate names nothing: 404 in the error shape", async () => {
    for (const id of ["%00", "a%00b", "%ED%A0%80"]) {
      const res = await raw(`/api/v1/executions/${id}/end`, "POST");
      expect(res.status, id).toBe(404);
    }
  });

  test("another method on a route Next serves is a JSON 405 naming the right one; HEAD works like GET", async () => {
    const res = await api(server.url, "/api/cron/tick");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(res.body.error.code).toBe("method_not_allowed");
    const head = await fetch(`${server.url}/api/v1/openapi.json`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });
});
