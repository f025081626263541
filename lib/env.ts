import nextEnv from "@next/env";
import { z } from "zod";
import { parseTrustedProxies } from "./http/client-ip";

// Every variable the app reads, validated once at start-up. `.env.example` lists the same names.
const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  APP_URL: z.string().url().optional(),
  // Connections in this process's pool (shared by Prisma and the raw ingest SQL).
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // Ingest group commit: extra time a write waits for more posts to join it. 0 (measured best):
  // posts arriving while a write is in flight already form the next group.
  INGEST_GROUP_MAX_WAIT_MS: z.coerce.number().int().min(0).max(100).default(0),
  // An open execution with no call for this long is shown (and reported by the API) as idle.
  EXECUTION_IDLE_MINUTES: z.coerce.number().int().min(1).max(10_080).default(15),
  // Runaway detection on ingest (lib/anomalies). "off" turns every detector and the circuit breaker
  // off for this process — an escape hatch and the benchmark's baseline; orgs tune kinds in settings.
  ANOMALY_DETECTION: z.enum(["on", "off"]).default("on"),
  // OTLP log and trace exports are decoded on a thread of their own (lib/otlp/off-thread.ts); "off"
  // decodes them on the request thread.
  OTLP_DECODE_THREAD: z.enum(["on", "off"]).default("on"),
  // Where the embedded development database keeps its files when DATABASE_URL is unset.
  BURNRATE_DATA_DIR: z.string().default(".data"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // Auth.js: signs session and verification tokens. Required in production; development and tests
  // use a generated one kept in BURNRATE_DATA_DIR/auth-secret.
  AUTH_SECRET: z.string().min(32).optional(),
  // Base URL for magic links and OAuth callbacks (defaults to APP_URL at start-up).
  AUTH_URL: z.string().url().optional(),
  // GitHub sign-in appears only when both are set.
  AUTH_GITHUB_ID: z.string().optional(),
  AUTH_GITHUB_SECRET: z.string().optional(),
  // Email through Resend. Unset = every email is captured and shown at /dev/mailbox instead.
  RESEND_API_KEY: z.string().optional(),
  // Resend API base URL (tests point it at a local fake that speaks Resend's wire format).
  RESEND_BASE_URL: z.string().url().optional(),
  EMAIL_FROM: z.string().default("Burnrate <alerts@burnrate.local>"),
  // Serve /dev/mailbox in a production build too (the e2e server sets it). Never in real production.
  BURNRATE_MAILBOX: z.enum(["0", "1"]).optional(),
  // 1 = webhooks may go to http://localhost and private addresses in a production build (the e2e
  // server's receiver runs on this machine). Never in real production: outside it, https:// to
  // public addresses only (lib/alerts/webhook-target.ts). Development and tests allow them anyway.
  BURNRATE_WEBHOOKS_LOCAL: z.enum(["0", "1"]).optional(),
  // Proxies allowed to name the client in X-Forwarded-For: a hop count ("1" behind one load
  // balancer) or addresses / subnets ("10.0.0.0/8,192.0.2.7"). Unset = the header is ignored.
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseTrustedProxies(value);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
      }
    }),
  // Background jobs (email outbox sender; budget sweeps next): one tick every this many ms in every
  // process that serves, under a Postgres advisory lock so one replica works at a time. 0 = no timer
  // (ticks only through POST /api/cron/tick).
  JOBS_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  // Bearer secret for POST /api/cron/tick (external schedulers). Unset = the endpoint answers 404.
  CRON_SECRET: z.string().min(16, "CRON_SECRET must be at least 16 characters").optional(),
  // The gateway's key for upstream provider credentials at rest (AES-256-GCM, lib/gateway/credentials.ts):
  // 32 bytes as 64 hex characters or base64. Required in production; development and tests use a
  // generated one kept in BURNRATE_DATA_DIR/credentials-key. Changing it makes stored credentials
  // unreadable unless the old one is kept as BURNRATE_CREDENTIALS_KEY_PREVIOUS (rotation).
  BURNRATE_CREDENTIALS_KEY: z
    .string()
    .optional()
    .refine((value) => value === undefined || credentialsKeyBytes(value) !== null, "must be 32 bytes: 64 hex characters or base64 (openssl rand -base64 32)"),
  // The key before BURNRATE_CREDENTIALS_KEY, during a rotation: credentials it sealed still decrypt
  // until `npm run admin -- credential reencrypt` seals them with the current key (docs/operations.md).
  BURNRATE_CREDENTIALS_KEY_PREVIOUS: z
    .string()
    .optional()
    .refine((value) => value === undefined || credentialsKeyBytes(value) !== null, "must be 32 bytes: 64 hex characters or base64"),
  // On SIGTERM / SIGINT the server finishes its requests, ingest writes and job tick, then exits 0;
  // past this many ms it exits 1 whatever is left.
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
});

export type TEnv = z.infer<typeof ZEnv>;

// Every variable the server reads (.env.example lists each one: lib/env.test.ts holds it to that).
export const ENV_VARIABLES = Object.keys(ZEnv.shape);

let parsed: TEnv | undefined;

export function env(): TEnv {
  if (parsed) return parsed;
  // .env / .env.local / .env.<mode> the way Next reads them (variables already set win), so the
  // scripts that run before Next starts (dev, start, admin) see the same settings Next will.
  nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== "production", { info: () => undefined, error: console.error });
  // An empty value (`KEY=` copied from .env.example) means "unset", not "invalid".
  const raw = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  const result = ZEnv.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  parsed = result.data;
  return parsed;
}

export function databaseUrl(): string {
  const url = env().DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm run dev / npm test start an embedded Postgres for you)");
  return url;
}

// A 32-byte key written as hex or base64, or null when it is neither.
export function credentialsKeyBytes(value: string): Buffer | null {
  const text = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : /^[A-Za-z0-9+/]{43}=?$/.test(text) ? Buffer.from(text, "base64") : null;
  return bytes?.length === 32 ? bytes : null;
}
