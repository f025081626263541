import { expect } from "vitest";
import { pool } from "../db";

// Shared by the contract tests of the machine API (events, key auth).

// A valid LLM event; override fields per case.
export const ev = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  model: "gpt-4o",
  provider: "openai",
  usage: { prompt_tokens: 10, completion_tokens: 5 },
  ...extra,
});

// {"error":{"code","message","details?"}} and nothing else.
export function expectErrorShape(body: any): void {
  expect(body, JSON.stringify(body)).toBeTypeOf("object");
  expect(Object.keys(body)).toEqual(["error"]);
  expect(typeof body.error.code).toBe("string");
  expect(body.error.code.length).toBeGreaterThan(0);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  for (const k of Object.keys(body.error)) expect(["code", "message", "details"]).toContain(k);
}

export async function storedEventIds(orgId: string): Promise<string[]> {
  const { rows } = await pool().query(`SELECT "eventId" FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "eventId"`, [orgId]);
  return rows.map((r) => r.eventId as string);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
