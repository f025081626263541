import { pool } from "../db";
import { looksLikeKey } from "./generate";
import { hashSecret, hashesEqual } from "./hash";

// ingest: report usage, check budgets; read: spend reports; gateway: spend the org's provider
// account through the LLM gateway (not implied by ingest: a key that only reports cannot call).
export const KEY_SCOPES = ["ingest", "read", "gateway"] as const;
export type TKeyScope = (typeof KEY_SCOPES)[number];

export type TAuthenticatedKey = {
  id: string;
  orgId: string;
  orgSlug: string;
  orgTimezone: string;
  name: string;
  prefix: string;
  scopes: TKeyScope[];
  teamId: string | null;
  costCenterId: string | null;
  defaultAgent: string | null;
  allowedModels: string[];
  rpmLimit: number | null;
  expiresAt: Date | null;
};

type TCached = { result: TAuthenticatedKey | "unknown" | "revoked"; at: number };

// A revoked key must stop working within 1 s on every replica: entries live 0.5 s, leaving margin
// for a busy event loop. Two indexed lookups a second per key and process cost nothing.
const CACHE_TTL_MS = 500;
const CACHE_MAX = 10_000;
const cache = new Map<string, TCached>();
// lastUsedAt is written at most once a minute per key and per process: it is a hint, not a meter.
const LAST_USED_EVERY_MS = 60_000;
const lastUsedWritten = new Map<string, number>();

export type TAuthFailure = "missing" | "unknown" | "revoked" | "expired";

export async function authenticateKey(secret: string | null): Promise<TAuthenticatedKey | TAuthFailure> {
  if (!secret) return "missing";
  if (!looksLikeKey(secret)) return "unknown";
  const hash = hashSecret(secret);
  const now = Date.now();
  let entry = cache.get(hash);
  if (!entry || now - entry.at > CACHE_TTL_MS) {
    entry = await loadKey(hash, now);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, entry);
  }
  const key = entry.result;
  if (typeof key === "string") return key;
  if (key.expiresAt && key.expiresAt.getTime() <= now) return "expired";
  touchLastUsed(key.id, now);
  return key;
}

async function loadKey(hash: string, now: number): Promise<TCached> {
  const { rows } = await pool().query(
    `SELECT k.id, k."orgId", o.slug AS "orgSlug", o.timezone AS "orgTimezone", k.name, k.prefix, k.hash,
            k.scopes, k."teamId", k."costCenterId", k."defaultAgent", k."allowedModels", k."rpmLimit",
            k."expiresAt", k."revokedAt"
       FROM "VirtualKey" k JOIN "Organization" o ON o.id = k."orgId"
      WHERE k.hash = $1 AND o."deletedAt" IS NULL`,
    [hash],
  );
  const row = rows[0];
  // The index lookup already matched; the constant-time compare guards against any collation surprise.
  if (!row || !hashesEqual(row.hash, hash)) return { result: "unknown", at: now };
  if (row.revokedAt) return { result: "revoked", at: now };
  const { hash: _hash, revokedAt: _revoked, ...key } = row;
  return { result: key as TAuthenticatedKey, at: now };
}

function touchLastUsed(keyId: string, now: number): void {
  const last = lastUsedWritten.get(keyId) ?? 0;
  if (now - last < LAST_USED_EVERY_MS) return;
  lastUsedWritten.set(keyId, now);
  pool()
    .query(`UPDATE "VirtualKey" SET "lastUsedAt" = now() WHERE id = $1`, [keyId])
    .catch((err: Error) => console.error("[keys] lastUsedAt update failed:", err.message));
}

export function clearKeyCache(): void {
  cache.clear();
}
