import { afterAll, inject } from "vitest";
import { closeDb } from "../db";
import { assertLocalDatabase } from "./local-database";

const url = inject("databaseUrl");
assertLocalDatabase(url);
process.env.DATABASE_URL = url;
// Tests measure behaviour, not the group-commit window.
process.env.INGEST_GROUP_MAX_WAIT_MS ??= "0";

afterAll(async () => {
  await closeDb();
});
