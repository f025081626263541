import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { e2eEnv } from "./env";

export type TSeedAlert = {
  budgetName: string;
  threshold: number;
  spentUsd: string;
  limitUsd: string;
  emails: string[];
  webhookUrl: string | null;
  minutesAgo?: number;
  silent?: number[];
  refused?: string[];
};

// Records an alert with its deliveries in the e2e database (e2e/support/seed-alert.ts), which also
// sends them. Asynchronous on purpose: the spec's webhook receiver runs in this process and must
// be free to answer while the seed process POSTs to it.
export async function seedAlert(orgSlug: string, options: TSeedAlert): Promise<{ alertId: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "e2e/support/seed-alert.ts", orgSlug, JSON.stringify(options)], {
    env: { ...process.env, ...e2eEnv() },
    encoding: "utf8",
  });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}
