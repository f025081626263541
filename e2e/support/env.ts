// Environment shared by the e2e server and the admin CLI the specs call, so both reach one database.
export function e2eEnv(): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    // Capture email and show it at /dev/mailbox in this production build; no Resend key.
    BURNRATE_MAILBOX: "1",
    // Budget-alert webhooks to the spec's receiver on this machine (http://localhost).
    BURNRATE_WEBHOOKS_LOCAL: "1",
    RESEND_API_KEY: "",
    BURNRATE_DATA_DIR: ".data/e2e",
    // As behind one load balancer: a spec can name its own client address in X-Forwarded-For, so
    // per-IP sign-in limits are tested without spending the whole run's 127.0.0.1 budget.
    TRUSTED_PROXIES: "1",
  };
  if (process.env.DATABASE_URL && !process.env.E2E_DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = "/burnrate_e2e";
    env.E2E_DATABASE_URL = url.toString();
  }
  // Next names its own origin "localhost" in route handlers; use the same host everywhere.
  env.APP_URL = `http://localhost:${process.env.E2E_PORT ?? 3100}`;
  const e2eUrl = process.env.E2E_DATABASE_URL ?? env.E2E_DATABASE_URL;
  if (e2eUrl) env.DATABASE_URL = e2eUrl;
  return env;
}
