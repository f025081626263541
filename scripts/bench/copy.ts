import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { TEventRow } from "../../lib/ingest/prepare";

// The physical limit: COPY of the same rows (same columns as the ingest INSERT) into the same
// "UsageEvent" table with all its indexes. Mirrors EVENT_COLUMNS of lib/ingest/store.ts, which is
// not exported; `checkColumnsMatchStore` fails loudly if the two lists drift apart.
const COPY_COLUMNS: [string, (r: TEventRow) => unknown][] = [
  ["orgId", (r) => r.orgId],
  ["eventId", (r) => r.eventId],
  ["occurredAt", (r) => r.occurredAt],
  ["keyId", (r) => r.keyId],
  ["kind", (r) => r.kind],
  ["provider", (r) => r.provider],
  ["model", (r) => r.model],
  ["inputTokens", (r) => r.usage.inputTokens],
  ["outputTokens", (r) => r.usage.outputTokens],
  ["cacheReadTokens", (r) => r.usage.cacheReadTokens],
  ["cacheWriteTokens", (r) => r.usage.cacheWriteTokens],
  ["reasoningTokens", (r) => r.usage.reasoningTokens],
  ["costUsd", (r) => r.costUsd],
  ["costSource", (r) => r.costSource],
  ["executionId", (r) => r.executionId],
  ["task", (r) => r.task],
  ["sessionId", (r) => r.sessionId],
  ["agent", (r) => r.agent],
  ["subagent", (r) => r.subagent],
  ["userId", (r) => r.userId],
  ["teamId", (r) => r.teamId],
  ["unknownTeam", (r) => r.unknownTeam],
  ["costCenterId", (r) => r.costCenterId],
  ["unknownCostCenter", (r) => r.unknownCostCenter],
  ["feature", (r) => r.feature],
  ["repository", (r) => r.repository],
  ["branch", (r) => r.branch],
  ["pullRequest", (r) => r.pullRequest],
  ["attempt", (r) => r.attempt],
  ["status", (r) => r.status],
  ["errorType", (r) => r.errorType],
  ["tool", (r) => r.tool],
  ["latencyMs", (r) => r.latencyMs],
  ["fingerprint", (r) => r.fingerprint],
  ["metadata", (r) => r.metadata],
];

export function checkColumnsMatchStore(): void {
  const source = readFileSync(path.resolve(process.cwd(), "lib/ingest/store.ts"), "utf8");
  const start = source.indexOf("const EVENT_COLUMNS");
  const end = start < 0 ? -1 : source.indexOf("\n];", start);
  if (end < 0) throw new Error("scripts/bench/copy.ts: EVENT_COLUMNS not found in lib/ingest/store.ts; update the bench");
  const storeColumns = [...source.slice(start, end).matchAll(/^\s*\["(\w+)",/gm)].map((m) => m[1]);
  const mine = COPY_COLUMNS.map(([name]) => name);
  if (storeColumns.join(",") !== mine.join(",")) {
    throw new Error(
      `scripts/bench/copy.ts: COPY columns differ from lib/ingest/store.ts EVENT_COLUMNS\n  store: ${storeColumns.join(",")}\n  bench: ${mine.join(",")}`,
    );
  }
}

function copyText(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (value instanceof Date) return value.toISOString();
  const s = String(value);
  return /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r") : s;
}

// COPY text format, in chunks of `rowsPerChunk` rows.
export function serializeCopyRows(rows: readonly TEventRow[], rowsPerChunk = 1000): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < rows.length; i += rowsPerChunk) {
    let text = "";
    for (const row of rows.slice(i, i + rowsPerChunk)) {
      text += COPY_COLUMNS.map(([, pick]) => copyText(pick(row))).join("\t") + "\n";
    }
    chunks.push(Buffer.from(text, "utf8"));
  }
  return chunks;
}

// COPYs the chunks over `streams` connections at once (chunks dealt round-robin); each stream is
// one transaction. Returns the wall seconds from the first byte to the last commit.
export async function copyRows(databaseUrl: string, chunks: Buffer[], streams: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: streams }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      return client;
    }),
  );
  const sql = `COPY "UsageEvent" (${COPY_COLUMNS.map(([name]) => `"${name}"`).join(", ")}) FROM STDIN`;
  try {
    const start = performance.now();
    await Promise.all(
      clients.map((client, s) => {
        const mine = chunks.filter((_, i) => i % streams === s);
        return pipeline(Readable.from(mine), client.query(copyFrom(sql)));
      }),
    );
    return (performance.now() - start) / 1000;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
