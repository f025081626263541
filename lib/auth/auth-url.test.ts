import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

// APP_URL set in .env (not in the shell) must reach Auth.js: its own endpoints (sign-in, callback,
// magic links) build URLs from AUTH_URL, derived from APP_URL before Next starts.
test("Auth.js's endpoints use APP_URL from .env, not the host the request named", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "burnrate-env-"));
  await writeFile(path.join(dir, ".env"), "APP_URL=https://burnrate.example.com\n");
  const env: NodeJS.ProcessEnv = { ...process.env, AUTH_SECRET: "s".repeat(40) };
  for (const name of ["APP_URL", "AUTH_URL", "NODE_ENV"]) delete env[name];
  const tsx = path.resolve("node_modules/.bin/tsx");
  const { stdout } = await promisify(execFile)(tsx, [path.resolve("lib/testing/auth-urls-probe.ts")], { cwd: dir, env });
  const { status, body } = JSON.parse(stdout.trim().split("\n").at(-1)!);
  expect(status).toBe(200);
  expect(body.email.signinUrl).toBe("https://burnrate.example.com/api/auth/signin/email");
  expect(body.email.callbackUrl).toBe("https://burnrate.example.com/api/auth/callback/email");
});
