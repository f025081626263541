import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { prisma } from "../db";
import { credentialsKeyBytes, env } from "../env";
import { badRequest, DomainError, forbidden } from "../errors";

// The org's upstream API key for each provider (ProviderCredential), encrypted at rest with
// AES-256-GCM as "iv:tag:ciphertext" (base64). The org and provider are the authenticated data, so
// a ciphertext copied onto another org's row does not decrypt. The key is never returned or logged.

export const GATEWAY_PROVIDERS = ["openai", "anthropic"] as const;
export type TGatewayProvider = (typeof GATEWAY_PROVIDERS)[number];

// The SDKs' own default base URLs: OpenAI's includes /v1, Anthropic's does not (its paths do).
export const DEFAULT_BASE_URLS: Record<TGatewayProvider, string> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com",
};

export type TUpstream = { provider: TGatewayProvider; baseUrl: string; apiKey: string };

let cachedKey: Buffer | null = null;

// A server that cannot use the stored credential: an operator's problem, not the client's. A 503
// (not a 500, which the SDKs retry) with x-should-retry: false, since a retry fails the same way.
const notConfigured = (message: string) => new DomainError("unavailable", message, undefined, { "x-should-retry": "false" });

// Production must set BURNRATE_CREDENTIALS_KEY; development and tests keep a generated one in the
// data directory (as AUTH_SECRET, lib/auth/secret.ts), so the admin CLI and the server agree.
function credentialsKey(): Buffer {
  if (cachedKey) return cachedKey;
  const { BURNRATE_CREDENTIALS_KEY: configured, NODE_ENV, BURNRATE_DATA_DIR } = env();
  if (configured) return (cachedKey = credentialsKeyBytes(configured)!);
  if (NODE_ENV === "production") {
    throw notConfigured("The gateway is not configured on this server: BURNRATE_CREDENTIALS_KEY is not set (see .env.example)");
  }
  const dir = path.resolve(BURNRATE_DATA_DIR);
  const file = path.join(dir, "credentials-key");
  mkdirSync(dir, { recursive: true });
  try {
    // "wx": two processes starting at once must not each write their own key.
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const bytes = credentialsKeyBytes(readFileSync(file, "utf8"));
  if (!bytes) throw new Error(`${file} does not hold a 32-byte key`);
  return (cachedKey = bytes);
}

const aad = (orgId: string, provider: string) => Buffer.from(`${orgId}\u0000${provider}`, "utf8");

// Rotation (docs/operations.md): BURNRATE_CREDENTIALS_KEY_PREVIOUS still opens what the key before
// sealed, until `npm run admin -- credential reencrypt` has sealed every row with the current key.
// Read once per process, as the current key: every gateway call may need both.
let cachedPrevious: { key: Buffer | null } | null = null;
function previousCredentialsKey(): Buffer | null {
  if (cachedPrevious) return cachedPrevious.key;
  const previous = env().BURNRATE_CREDENTIALS_KEY_PREVIOUS;
  cachedPrevious = { key: previous ? credentialsKeyBytes(previous) : null };
  return cachedPrevious.key;
}

// The keys a stored credential may be sealed with: the current one first.
export function credentialsKeys(): Buffer[] {
  const previous = previousCredentialsKey();
  return previous ? [credentialsKey(), previous] : [credentialsKey()];
}

export function encryptApiKey(orgId: string, provider: TGatewayProvider, apiKey: string, key: Buffer = credentialsKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad(orgId, provider));
  const ciphertext = Buffer.concat([cipher.update(apiKey, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString("base64")).join(":");
}

// The plaintext, or null when `key` did not seal this (org, provider)'s row.
function openWith(key: Buffer, orgId: string, provider: string, sealed: string): string | null {
  const [iv, tag, ciphertext] = sealed.split(":").map((part) => Buffer.from(part, "base64"));
  if (!iv || !tag || !ciphertext || iv.length !== 12 || tag.length !== 16) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(aad(orgId, provider));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

export function decryptApiKey(orgId: string, provider: TGatewayProvider, sealed: string, keys: Buffer[] = credentialsKeys()): string {
  for (const key of keys) {
    const apiKey = openWith(key, orgId, provider, sealed);
    if (apiKey !== null) return apiKey;
  }
  // Another BURNRATE_CREDENTIALS_KEY, or a row not written for this org: an operator's problem.
  throw notConfigured(`The stored ${provider} credential cannot be decrypted with this server's BURNRATE_CREDENTIALS_KEY (or BURNRATE_CREDENTIALS_KEY_PREVIOUS); set it again with the admin CLI`);
}

export type TReencryption = {
  changes: { id: string; from: string; to: string }[];
  alreadyCurrent: number;
  unreadable: { orgId: string; provider: string }[];
};
export type TReencryptResult = Omit<TReencryption, "changes"> & { reencrypted: number; changedMeanwhile: number; previousKeySet: boolean };

// Rotation seals with the configured key only: a CLI shell missing BURNRATE_CREDENTIALS_KEY would
// otherwise seal every row with a key generated on its own disk, unreadable by every replica.
function configuredKeys(): { current: Buffer; previous: Buffer | null } {
  const configured = env().BURNRATE_CREDENTIALS_KEY;
  if (!configured) throw badRequest("credential reencrypt seals with BURNRATE_CREDENTIALS_KEY, which is not set here (nor is a generated key used for this)");
  return { current: credentialsKeyBytes(configured)!, previous: previousCredentialsKey() };
}

// Which stored credentials (of one org, or all) need sealing with the current key, and their new
// ciphertext; each read with the current or the previous key. A row neither opens is reported.
export async function planReencryption(keys: { current: Buffer; previous: Buffer | null }, orgId?: string): Promise<TReencryption> {
  const rows = await prisma().providerCredential.findMany({
    where: orgId === undefined ? {} : { orgId },
    select: { id: true, orgId: true, provider: true, apiKeyEnc: true },
    orderBy: { id: "asc" },
  });
  const plan: TReencryption = { changes: [], alreadyCurrent: 0, unreadable: [] };
  for (const row of rows) {
    if (openWith(keys.current, row.orgId, row.provider, row.apiKeyEnc) !== null) {
      plan.alreadyCurrent++;
      continue;
    }
    const apiKey = keys.previous ? openWith(keys.previous, row.orgId, row.provider, row.apiKeyEnc) : null;
    if (apiKey === null) plan.unreadable.push({ orgId: row.orgId, provider: row.provider });
    else plan.changes.push({ id: row.id, from: row.apiKeyEnc, to: encryptApiKey(row.orgId, row.provider as TGatewayProvider, apiKey, keys.current) });
  }
  return plan;
}

// One UPDATE, each row guarded by the ciphertext read: a credential set again meanwhile keeps its new
// value (and is counted apart: run again to check it). Returns the rows re-sealed.
export async function applyReencryption(changes: TReencryption["changes"]): Promise<number> {
  if (changes.length === 0) return 0;
  return prisma().$executeRaw`
    UPDATE "ProviderCredential" c SET "apiKeyEnc" = n.sealed, "updatedAt" = now()
      FROM unnest(${changes.map((c) => c.id)}::text[], ${changes.map((c) => c.from)}::text[], ${changes.map((c) => c.to)}::text[]) AS n(id, old, sealed)
     WHERE c.id = n.id AND c."apiKeyEnc" = n.old`;
}

// `npm run admin -- credential reencrypt`: seals every stored credential with the current key.
export async function reencryptCredentials(options: { orgId?: string; keys?: { current: Buffer; previous: Buffer | null } } = {}): Promise<TReencryptResult> {
  const keys = options.keys ?? configuredKeys();
  const { changes, ...plan } = await planReencryption(keys, options.orgId);
  const reencrypted = await applyReencryption(changes);
  return { ...plan, reencrypted, changedMeanwhile: changes.length - reencrypted, previousKeySet: keys.previous !== null };
}

export function isGatewayProvider(value: string): value is TGatewayProvider {
  return (GATEWAY_PROVIDERS as readonly string[]).includes(value);
}

// Creates or replaces the org's credential for a provider. baseUrl null = the provider's own API.
export async function setProviderCredential(orgId: string, provider: TGatewayProvider, apiKey: string, baseUrl: string | null): Promise<void> {
  const key = apiKey.trim();
  // It goes into an HTTP header: visible ASCII only.
  if (!/^[\x21-\x7e]{1,1024}$/.test(key)) throw badRequest("The upstream API key must be 1–1,024 visible ASCII characters");
  const normalized = baseUrl === null ? null : normalizeBaseUrl(baseUrl);
  const apiKeyEnc = encryptApiKey(orgId, provider, key);
  await prisma().providerCredential.upsert({
    where: { orgId_provider: { orgId, provider } },
    create: { orgId, provider, baseUrl: normalized, apiKeyEnc },
    update: { baseUrl: normalized, apiKeyEnc },
  });
}

function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badRequest(`'${raw}' is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw badRequest("The base URL must be http:// or https://");
  if (url.username || url.password || url.search || url.hash) throw badRequest("The base URL takes no user, password, query or fragment");
  return url.toString().replace(/\/+$/, "");
}

// Where and with which key the gateway calls the provider for this org.
export async function upstreamFor(orgId: string, orgSlug: string, provider: TGatewayProvider): Promise<TUpstream> {
  const row = await prisma().providerCredential.findUnique({ where: { orgId_provider: { orgId, provider } }, select: { baseUrl: true, apiKeyEnc: true } });
  if (!row) {
    throw forbidden(`This organization has no ${provider} credential for the gateway; an admin sets one with: npm run admin -- credential set --org ${orgSlug} --provider ${provider} --key - (the key on standard input)`);
  }
  return { provider, baseUrl: row.baseUrl ?? DEFAULT_BASE_URLS[provider], apiKey: decryptApiKey(orgId, provider, row.apiKeyEnc) };
}
