// Property-based test of POST /api/v1/events with generated events (lib/testing/fuzz-events.ts):
// whatever a client sends, the server answers — no 5xx, no hang —, its counts say exactly what it
// stored, and the stored events, hourly rollups and executions agree to the last digit (in SQL).
// Real HTTP on the lean server, real Postgres, a fresh org per property run.
// FUZZ_RUNS and FUZZ_SEED (printed by fast-check on a failure) scale or replay a run.
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { createTestOrg } from "../testing/fixtures";
import { batch } from "../testing/fuzz-events";
import { ingestLedger, storedEventIdSet } from "../testing/ingest-ledger";
import { startMachineServer } from "../testing/machine-server";
import { keepAliveAgent, rawRequest } from "../testing/raw-http";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

// A generated request: its events, and how they travel.
const request = fc.record({
  batch: batch(40),
  gzip: fc.boolean(),
  chunks: fc.constantFrom(1, 1, 3, 17),
  contentLength: fc.boolean(),
  charset: fc.constantFrom("application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"),
});

test("generated events, concurrent requests: every answer is honest and totals agree", async () => {
  const logged: string[] = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  const totals = { runs: 0, requests: 0, events: 0, accepted: 0, duplicates: 0, rejected: 0, refused: 0 };
  const started = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 4 }), async (requests) => {
        logged.length = 0;
        const { org, secret } = await createTestOrg();
        const agent = keepAliveAgent(4);
        try {
          const answers = await Promise.all(
            requests.map((r) => {
              const json = Buffer.from(r.batch.json, "utf8");
              const body = r.gzip ? gzipSync(json) : json;
              const headers: Record<string, string> = { authorization: `Bearer ${secret}`, "content-type": r.charset };
              if (r.gzip) headers["content-encoding"] = "gzip";
              if (r.contentLength) headers["content-length"] = String(body.length);
              return rawRequest(server.url, { agent, headers, body, chunks: r.chunks, timeoutMs: 15_000 });
            }),
          );

          let accepted = 0;
          const sentIds = new Set<string>();
          answers.forEach((answer, i) => {
            const events = requests[i].batch.events;
            for (const e of events) if (typeof e.id === "string") sentIds.add(e.id);
            const context = `${answer.status} ${answer.error ?? answer.body.slice(0, 500)}`;
            expect([200, 207, 413, 422], context).toContain(answer.status);
            const body = JSON.parse(answer.body);
            if (answer.status === 200 || answer.status === 207) {
              expect(Object.keys(body), context).toEqual(["accepted", "duplicates", "rejected", "warnings", "budgets", "execution"]);
              expect(body.accepted + body.duplicates + body.rejected.length, context).toBe(events.length);
              expect(body.rejected.length > 0, context).toBe(answer.status === 207);
              const rejectedIndexes = body.rejected.map((r: { index: number }) => r.index);
              expect(new Set(rejectedIndexes).size, context).toBe(rejectedIndexes.length);
              for (const r of body.rejected) {
                expect(r.index >= 0 && r.index < events.length, context).toBe(true);
                expect(r.errors.length, context).toBeGreaterThan(0);
                for (const e of r.errors) expect([typeof e.path, typeof e.message], context).toEqual(["string", "string"]);
              }
              for (const w of body.warnings) {
                expect(w.code, context).toBe("unpriced_model");
                expect(rejectedIndexes, context).not.toContain(w.index);
              }
              accepted += body.accepted;
              totals.accepted += body.accepted;
              totals.duplicates += body.duplicates;
              totals.rejected += body.rejected.length;
            } else {
              expect(Object.keys(body), context).toEqual(["error"]);
              if (answer.status === 422) {
                const indexes = new Set(body.error.details.map((d: { index: number }) => d.index));
                // No event was valid: every one of them is named.
                expect(indexes.size, context).toBe(events.length);
              }
              totals.refused++;
            }
          });

          // The answers said exactly what was stored: nothing more, nothing renamed on the way.
          const stored = await storedEventIdSet(org.id);
          expect(stored.size).toBe(accepted);
          for (const id of stored) expect(sentIds.has(id), JSON.stringify(id)).toBe(true);
          expect(await ingestLedger(org.id)).toEqual({ events: accepted, rollupsMatchEvents: true, executionMismatches: 0, hourlyMismatches: 0, dailyMismatches: 0 });
          expect(logged).toEqual([]);

          totals.runs++;
          totals.requests += requests.length;
          totals.events += requests.reduce((n, r) => n + r.batch.events.length, 0);
        } finally {
          agent.destroy();
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  } finally {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`[fuzz-events] ${JSON.stringify(totals)} in ${seconds} s`);
  }
}, 120_000);
