// `npm run dev` on the embedded Postgres: stopping it from a terminal (Ctrl-C signals the whole
// foreground process group) must let the app finish and put Postgres away last.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { runTs } from "../testing/child";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "burnrate-embedded-"));
  dirs.push(dir);
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startApp(dir: string) {
  const app = runTs("lib/testing/embedded-app.ts", { BURNRATE_DATA_DIR: dir, DATABASE_URL: "", DATABASE_POOL_SIZE: "20" }, { group: true });
  await Promise.race([app.printed("ready"), app.exited.then(() => Promise.reject(new Error(`the app exited:\n${app.output()}`)))]);
  const postgresPid = Number(/postgres pid (\d+)/.exec(app.output())![1]);
  expect(alive(postgresPid)).toBe(true);
  return { app, postgresPid };
}

test("Ctrl-C (SIGINT to the whole process group): the app shuts down in order, stops Postgres last, prints no pool error, exits 0", { timeout: 60_000 }, async () => {
  const { app, postgresPid } = await startApp(dataDir());
  const t0 = performance.now();
  process.kill(-app.child.pid!, "SIGINT");
  const exit = await app.exited;
  const ms = performance.now() - t0;
  console.info(`[embedded] Ctrl-C → exit ${exit.code} after ${ms.toFixed(0)} ms`);

  expect(exit, app.output()).toEqual({ code: 0, signal: null });
  expect(app.output()).not.toMatch(/idle client error|terminating connection/i);
  expect(app.output()).toMatch(/\[shutdown\] done in \d+ ms/);
  expect(alive(postgresPid)).toBe(false);
});

// Postgres shuts itself down within a minute when its data directory disappears; the app must still
// stop promptly (it used to wait forever for the exit of a process that had already exited).
test("Postgres gone under the running app (data directory removed, server exited): SIGTERM still exits 0 within the deadline", { timeout: 60_000 }, async () => {
  const dir = dataDir();
  const { app, postgresPid } = await startApp(dir);
  rmSync(dir, { recursive: true, force: true });
  process.kill(postgresPid, "SIGQUIT");
  while (alive(postgresPid)) await new Promise((resolve) => setTimeout(resolve, 20));
  const t0 = performance.now();
  app.child.kill("SIGTERM");
  const exit = await app.exited;
  const ms = performance.now() - t0;
  console.info(`[embedded] Postgres gone, SIGTERM → exit ${exit.code} after ${ms.toFixed(0)} ms`);

  expect(exit, app.output()).toEqual({ code: 0, signal: null });
  expect(ms).toBeLessThan(10_000);
  expect(app.output()).toMatch(/\[shutdown\] done in \d+ ms/);
});

test("a process on the embedded Postgres keeps the exit code it set: a failing `npm test` or admin command does not exit 0", { timeout: 60_000 }, async () => {
  const child = runTs("lib/testing/embedded-exit-code.ts", { BURNRATE_DATA_DIR: dataDir(), DATABASE_URL: "", EXIT_CODE: "3" });
  const { code } = await child.exited;
  expect(code, child.output()).toBe(3);
});

test("a process on the embedded Postgres that ends cleanly exits 0, with nothing thrown on the way out", { timeout: 60_000 }, async () => {
  const child = runTs("lib/testing/embedded-exit-code.ts", { BURNRATE_DATA_DIR: dataDir(), DATABASE_URL: "", EXIT_CODE: "" });
  const { code } = await child.exited;
  expect(code, child.output()).toBe(0);
  expect(child.output()).not.toMatch(/Error/);
});
