import { readdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api, startMachineServer } from "../testing/machine-server";
import { MACHINE_ROUTES } from "./routes";
import { isMachinePath, NEXT_API_PREFIXES } from "./router";

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

test("Next keeps the API paths it serves (app/api/*), and only those", async () => {
  const folders = (await readdir("app/api", { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => `/api/${e.name}`);
  // A folder missing from the list would be answered 404 by the lean router; a listed prefix with
  // no folder would hand a machine path to Next's HTML 404.
  expect([...NEXT_API_PREFIXES].sort()).toEqual(folders.sort());
  for (const folder of folders) expect(isMachinePath(`${folder}/anything`)).toBe(false);
  for (const route of MACHINE_ROUTES) expect(isMachinePath(route.path), route.path).toBe(true);
  expect(isMachinePath("/apidocs")).toBe(false);
  expect(isMachinePath("/acme/overview")).toBe(false);
});
