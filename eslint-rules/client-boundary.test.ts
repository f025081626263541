import path from "node:path";
import { RuleTester } from "eslint";
import { describe, it } from "vitest";
import tsParser from "@typescript-eslint/parser";
import plugin from "./client-boundary.mjs";

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: "module", parser: tsParser } });
const inComponents = path.join(process.cwd(), "components", "keys", "key-table.tsx");
const inApp = path.join(process.cwd(), "app", "(dashboard)", "[org]", "keys", "page-client.tsx");
const client = (imports: string, filename = inComponents) => ({ code: `"use client";\n${imports}`, filename });
const refused = (imports: string, filename = inComponents) => ({ ...client(imports, filename), errors: [{ messageId: "notAllowed" }] });
const unreadable = (imports: string) => ({ ...client(imports), errors: [{ messageId: "notLiteral" }] });

tester.run("client-boundary", plugin.rules["client-boundary"], {
  valid: [
    client(`import { displayUsd } from "@/lib/money";`),
    client(`import { useState } from "react";`),
    client(`import Link from "next/link";\nimport { useRouter } from "next/navigation";`),
    client(`import { LineChart } from "recharts";`),
    client(`import { Button } from "@/components/ui/form";`),
    client(`import { SecretReveal } from "./secret-reveal";`),
    client(`import { Button } from "../../../../components/ui/form";`, inApp),
    // Types are erased: importable from anywhere.
    client(`import type { TKeyRow } from "@/lib/keys/manage";`),
    client(`import { type TKeyRow } from "@/lib/keys/manage";`),
    client(`export type { TKeyRow } from "@/lib/keys/manage";`),
    // Server code outside components/ (pages, lib) may import anything.
    { code: `import { pool } from "@/lib/db";`, filename: inApp.replace("page-client", "page") },
  ],
  invalid: [
    // The three that passed the old deny-list.
    refused(`import { createTeam } from "@/lib/teams/manage";`),
    refused(`import { recordAudit } from "@/lib/audit/log";`),
    refused(`import { countHit } from "@/lib/rate-limit/counter";`),
    refused(`import { type TKeyRow, listKeys } from "@/lib/keys/manage";`),
    refused(`import { pool } from "@/lib/db";`),
    refused(`import { PrismaClient } from "@/lib/generated/prisma/client";`),
    refused(`import { env } from "../../lib/env";`),
    refused(`import { recordAudit } from "../../lib/audit/log";`, inApp.replace("page-client", "deeper/x")),
    refused(`import pg from "pg";`),
    refused(`import { randomBytes } from "node:crypto";`),
    refused(`import { headers } from "next/headers";`),
    refused(`export { recordAudit } from "@/lib/audit/log";`),
    refused(`const m = await import("@/lib/db");`),
    // A lib module nobody put on the list yet is refused until someone decides it is browser-safe.
    refused(`import { something } from "@/lib/some-new-module";`),
    // Ways around the list, found from outside: a path that climbs out of components/, a name the
    // rule cannot read, require().
    refused(`import { recordAudit } from "@/components/../lib/audit/log";`),
    refused(`import { pool } from "@/components/../lib/db";`),
    unreadable("const m = await import(`@/lib/audit/log`);"),
    unreadable(`const name = "@/lib/db"; const m = await import(name);`),
    refused(`const { pool } = require("@/lib/db");`),
    // A server component under components/ is bundled into any client component that imports it.
    { code: `import { pool } from "@/lib/db";`, filename: inComponents, errors: [{ messageId: "notAllowed" }] },
  ],
});
