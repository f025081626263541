import { afterAll, inject } from "vitest";
import { closeDb } from "../db";
import { assertLocalDatabase } from "./local-database";

const url = inject("databaseUrl");
assertLocalDatabase(url);
process.env.DATABASE_URL = url;
// Tests measure behaviour, not the group-commit window.
process.env.INGEST_GROUP_MAX_WAIT_MS ??= "0";
// The app's secret (approval links are signed with it); servers get theirs from lib/auth/secret.ts.
process.env.AUTH_SECRET ??= "test-secret-for-signed-links-0123456789abcdef";
// The gateway's key for stored provider credentials (lib/gateway/credentials.ts), as production sets it.
process.env.BURNRATE_CREDENTIALS_KEY ??= "8f3a5c1e9b7d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a";

afterAll(async () => {
  await closeDb();
});
