import { RuleTester } from "eslint";
import { describe, it } from "vitest";
import tsParser from "@typescript-eslint/parser";
import plugin from "./client-boundary.mjs";

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: "module" } });

tester.run("client-boundary", plugin.rules["client-boundary"], {
  valid: [
    { code: `"use client";\nimport { displayUsd } from "@/lib/money";` },
    { code: `import { pool } from "@/lib/db";` }, // server component: allowed
    { code: `"use client";\nimport { useState } from "react";` },
    {
      code: `"use client";\nimport type { TKeyRow } from "@/lib/keys/manage";`,
      languageOptions: { parser: tsParser },
    },
  ],
  invalid: [
    {
      code: `"use client";\nimport { type TKeyRow, listKeys } from "@/lib/keys/manage";`,
      languageOptions: { parser: tsParser },
      errors: [{ messageId: "serverImport" }],
    },
    { code: `"use client";\nimport { pool } from "@/lib/db";`, errors: [{ messageId: "serverImport" }] },
    { code: `"use client";\nimport { issueKey } from "@/lib/keys/issue";`, errors: [{ messageId: "serverImport" }] },
    { code: `"use client";\nimport { PrismaClient } from "@/lib/generated/prisma/client";`, errors: [{ messageId: "serverImport" }] },
    { code: `'use client'\nimport { env } from "../../lib/env";`, errors: [{ messageId: "serverImport" }] },
    { code: `"use client";\nimport pg from "pg";`, errors: [{ messageId: "serverImport" }] },
  ],
});
