// Tests create orgs, keys and events: never let them run against a shared or production database.
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]", ""]);

export function assertLocalDatabase(databaseUrl: string): void {
  const host = new URL(databaseUrl).hostname;
  if (!LOCAL_HOSTS.has(host) && process.env.BURNRATE_ALLOW_REMOTE_TEST_DB !== "1") {
    throw new Error(`Refusing to run tests against non-local database host '${host}' (set BURNRATE_ALLOW_REMOTE_TEST_DB=1 to override)`);
  }
}
