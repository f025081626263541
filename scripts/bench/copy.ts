import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { TEventRow } from "../../lib/ingest/prepare";
import { EVENT_COLUMNS } from "../../lib/ingest/ingest-sql";

// The physical limit: COPY of the same rows (same columns as the ingest INSERT: EVENT_COLUMNS of
// lib/ingest/store.ts) into the same "UsageEvent" table with all its indexes.

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
      text += EVENT_COLUMNS.map(([, , pick]) => copyText(pick(row))).join("\t") + "\n";
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
  const sql = `COPY "UsageEvent" (${EVENT_COLUMNS.map(([name]) => `"${name}"`).join(", ")}) FROM STDIN`;
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
