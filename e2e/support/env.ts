// Environment shared by the e2e server and the admin CLI the specs call, so both reach one database.
export function e2eEnv(): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    BURNRATE_INSECURE_OPEN_DASHBOARD: "1",
    BURNRATE_DATA_DIR: ".data/e2e",
  };
  if (process.env.DATABASE_URL && !process.env.E2E_DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = "/burnrate_e2e";
    env.E2E_DATABASE_URL = url.toString();
  }
  const e2eUrl = process.env.E2E_DATABASE_URL ?? env.E2E_DATABASE_URL;
  if (e2eUrl) env.DATABASE_URL = e2eUrl;
  return env;
}
