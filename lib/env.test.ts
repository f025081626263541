// .env.example is the list of variables an operator reads (README "Environment"): it must name every
// variable lib/env.ts parses, and name nothing the code never reads.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { ENV_VARIABLES } from "./env";
import { sourceFiles } from "./testing/source-files";

const ROOT = path.resolve(import.meta.dirname, "..");
const example = readFileSync(path.join(ROOT, ".env.example"), "utf8");
// `NAME=` or a commented-out `# NAME=` line.
const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);

test("every variable lib/env.ts parses is in .env.example", () => {
  expect(ENV_VARIABLES.length).toBeGreaterThan(20);
  expect(ENV_VARIABLES.filter((name) => !listed.includes(name))).toEqual([]);
});

test("every variable .env.example names is read by some code", () => {
  const code = [
    ...["lib", "app", "scripts", "e2e", ".ci"].flatMap((d) => sourceFiles(path.join(ROOT, d), (f) => /\.(ts|tsx|mjs|cjs|js|sh)$/.test(f) || path.basename(f) === "run")),
    ...readdirSync(ROOT).filter((f) => /\.(ts|mjs)$/.test(f)).map((f) => path.join(ROOT, f)),
  ]
    .map((file) => readFileSync(file, "utf8"))
    .join("\n");
  expect(listed.length).toBeGreaterThan(20);
  // NODE_ENV and CI are set by the npm scripts and CI runners, and read by Next and Playwright themselves.
  const unread = listed.filter((name) => !["NODE_ENV", "CI", "NEXT_TELEMETRY_DISABLED"].includes(name) && !new RegExp(`\\b${name}\\b`).test(code));
  expect(unread).toEqual([]);
});
