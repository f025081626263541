import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Cleanups } from "./cleanup";
import { fmt, type TLog } from "./format";
import type { TBenchOptions } from "./options";
import { freePort } from "../../lib/http/free-port";

// The server under test: the production build (`next build`, reused unless --build) run as a CHILD
// process (`node [npm start's flags] --import tsx scripts/start.ts`, NODE_ENV=production), so its CPU is measured apart from ours.

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

export async function ensureBuild(opts: TBenchOptions, log: TLog): Promise<void> {
  const buildId = path.resolve(".next/BUILD_ID");
  if (existsSync(buildId) && !opts.build) {
    const age = (Date.now() - statSync(buildId).mtimeMs) / 60_000;
    log(`using the existing production build (.next/BUILD_ID, ${fmt(age)} min old; --build to rebuild)`);
    return;
  }
  log("building (npx next build)…");
  const t0 = performance.now();
  const { code, output } = await run("npx", ["next", "build"], { ...process.env, NEXT_TELEMETRY_DISABLED: "1" });
  if (code !== 0 || !existsSync(buildId)) {
    console.error(output.split("\n").slice(-25).join("\n"));
    console.error(
      "[bench] `next build` failed, so there is no production server to measure. This is usually another change " +
        "in progress elsewhere in the tree (see the errors above): retry when it builds.",
    );
    process.exit(2);
  }
  log(`built in ${fmt((performance.now() - t0) / 1000, 1)} s`);
}


// The Node flags `npm start` gives the server (package.json), so the bench measures what production runs.
export function startNodeFlags(): string[] {
  const start: string = JSON.parse(readFileSync("package.json", "utf8")).scripts.start;
  const flags = /\bnode (.*?)--import tsx scripts\/start\.ts/.exec(start);
  if (!flags) throw new Error(`bench: cannot read the node flags of "npm start": ${start}`);
  return flags[1].split(/\s+/).filter(Boolean);
}

export type TServer = { child: ChildProcess; url: URL; errorLines: string[]; tail: string[]; env: Record<string, string> };

// Starts the server on a free port and waits until it answers; `cleanups` stops it (whole process group).
export async function startServer(databaseUrl: string, opts: TBenchOptions, log: TLog, cleanups: Cleanups): Promise<TServer> {
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    NEXT_TELEMETRY_DISABLED: "1",
    // Production refuses to start without one; the machine routes never use it.
    AUTH_SECRET: process.env.AUTH_SECRET ?? randomBytes(33).toString("base64"),
    ...opts.serverEnv,
  };
  // Plain node with the tsx loader and the Node flags of `npm start`: the signal reaches the server
  // itself, and --cpu-prof (--profile) applies to the server process. detached: its own process group.
  const profile = opts.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(opts.profile)}`] : [];
  const child = spawn(process.execPath, [...startNodeFlags(), ...profile, ...opts.nodeFlags, "--import", "tsx", "scripts/start.ts"], { env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const server: TServer = { child, url: new URL(`http://127.0.0.1:${port}/api/v1/events`), errorLines: [], tail: [], env };
  const onLine = (stream: "out" | "err") => (d: Buffer) => {
    for (const line of d.toString().split("\n")) {
      if (!line.trim() || line.startsWith("npm warn")) continue;
      server.tail.push(line);
      if (server.tail.length > 40) server.tail.shift();
      if (/error|unhandled|exception|fail|ECONN|timeout/i.test(line) || (stream === "err" && !/^\s*(✓|▲|⚠)/.test(line))) {
        if (server.errorLines.length < 1000) server.errorLines.push(line);
      }
      if (opts.verbose) console.log(`[server] ${line}`);
    }
  };
  child.stdout!.on("data", onLine("out"));
  child.stderr!.on("data", onLine("err"));
  let exited: number | null = null;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = code ?? (signal ? 128 : 1);
      resolve();
    }),
  );
  cleanups.add(async () => {
    if (exited !== null || !child.pid) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 5000).unref());
    if ((await Promise.race([exitedPromise, timeout])) === "timeout") {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });

  const t0 = performance.now();
  const probe = new URL(`http://127.0.0.1:${port}/api/v1/spend`);
  for (;;) {
    if (exited !== null) {
      console.error(server.tail.join("\n"));
      throw new Error(`the server exited (code ${exited}) before answering`);
    }
    if (performance.now() - t0 > 120_000) throw new Error("the server did not answer within 120 s");
    const answered = await fetch(probe).then((r) => r.status > 0, () => false);
    if (answered) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`server (pid ${child.pid}) answering on ${server.url.origin} after ${fmt((performance.now() - t0) / 1000, 1)} s`);
  return server;
}
