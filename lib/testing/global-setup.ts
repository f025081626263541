import type { TestProject } from "vitest/node";
import { prepareDatabase } from "../db/bootstrap";
import { assertLocalDatabase } from "./local-database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

// One migrated database for the whole run: DATABASE_URL when set, else an embedded Postgres in
// .data/test (apart from the dev database, so `npm test` never touches the demo data).
export default async function setup(project: TestProject) {
  process.env.BURNRATE_DATA_DIR ??= ".data/test";
  const db = await prepareDatabase({ database: "burnrate_test", log: () => undefined });
  assertLocalDatabase(db.url);
  project.provide("databaseUrl", db.url);
  return async () => {
    await db.stop();
  };
}
