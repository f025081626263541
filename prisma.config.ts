import { defineConfig } from "prisma/config";

// Prisma 7 does not read .env; DATABASE_URL may be unset (generate in CI, embedded dev database).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
