import { pool } from "../db";

// When each source last sent each signal, for the integrations page ("just now", "3 min ago"):
// the events API and every OpenTelemetry source. A process writes each (org, source, signal) at
// most every RECEIPT_EVERY_MS, so the hot path pays a map lookup, not a statement, per request.
export type TReceiptSignal = "LOGS" | "METRICS" | "TRACES" | "EVENTS";

const RECEIPT_EVERY_MS = 15_000;
const written = new Map<string, number>();

// Never fails the request: the events it is about are already stored.
export async function recordReceipts(key: { orgId: string; id: string }, sources: Iterable<string>, signal: TReceiptSignal): Promise<void> {
  const now = Date.now();
  const due = [...new Set(sources)].sort().filter((s) => now - (written.get(`${key.orgId}\u0000${s}\u0000${signal}`) ?? 0) >= RECEIPT_EVERY_MS);
  if (due.length === 0) return;
  if (written.size > 10_000) written.clear();
  for (const s of due) written.set(`${key.orgId}\u0000${s}\u0000${signal}`, now);
  await pool()
    .query(
      `INSERT INTO "TelemetryReceipt" ("orgId", source, signal, "lastReceivedAt", "lastKeyId")
       SELECT $1, s, $3::"TelemetrySignal", now(), $4 FROM unnest($2::text[]) AS s
       ON CONFLICT ("orgId", source, signal) DO UPDATE SET "lastReceivedAt" = now(), "lastKeyId" = EXCLUDED."lastKeyId"`,
      [key.orgId, due, signal, key.id],
    )
    .catch((err: unknown) => {
      for (const s of due) written.delete(`${key.orgId}\u0000${s}\u0000${signal}`);
      console.error("[receipts] could not record a receipt:", err);
    });
}
