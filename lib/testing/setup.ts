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

afterAll(async () => {
  await closeDb();
});
