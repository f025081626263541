import { execFileSync } from "node:child_process";
import { e2eEnv } from "./env";

// Runs the operator CLI against the e2e database, as an operator would; returns stdout lines.
export function admin(...args: string[]): string[] {
  const out = execFileSync("npx", ["tsx", "scripts/admin.ts", ...args], {
    env: { ...process.env, ...e2eEnv() },
    encoding: "utf8",
  });
  return out.trim().split("\n");
}
