// `npm run dev` runs the app under a shell that does not exec it; a SIGTERM to npm ends npm and the
// shell only. The app notices it was orphaned and shuts down instead of holding the port and the
// embedded database.
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "vitest";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("an app whose parent shell is killed shuts itself down within a couple of seconds", { timeout: 30_000 }, async () => {
  const entry = path.resolve("lib/testing/orphan-app.ts");
  // `; true` keeps the shell as the app's parent (no exec), as npm's `sh -c` does.
  const shell = spawn("sh", ["-c", `"${process.execPath}" --import tsx "${entry}"; true`], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  shell.stdout.on("data", (d) => (output += d));
  shell.stderr.on("data", (d) => (output += d));
  const started = Date.now();
  while (!output.includes("ready")) {
    if (Date.now() - started > 20_000) throw new Error(`app did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = Number(/pid (\d+)/.exec(output)![1]);
  shell.kill("SIGTERM");
  const killed = Date.now();
  while (alive(pid) && Date.now() - killed < 5_000) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pid), `app ${pid} still running ${Date.now() - killed} ms after its shell died`).toBe(false);
  expect(Date.now() - killed).toBeLessThan(3_000);
});
