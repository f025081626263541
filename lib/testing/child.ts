import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export type TChild = {
  child: ChildProcess;
  output: () => string;
  // Resolves when the child has printed a line containing `text`.
  printed: (text: string) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

// Runs a TypeScript entry point of this repo as its own Node process (node --import tsx), the way
// a second replica would run: its own pool, its own module state.
// `group: true` puts it in a process group of its own, to signal it as a terminal would (kill(-pid)).
export function runTs(entry: string, env: Record<string, string | undefined> = {}, options: { group?: boolean } = {}): TChild {
  return run(process.execPath, ["--import", "tsx", entry], env, options);
}

// Any command from the repo's root (e.g. `npm start`, as an operator or a container runs it).
export function run(command: string, args: string[], env: Record<string, string | undefined> = {}, options: { group?: boolean } = {}): TChild {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: options.group ?? false,
  });
  let output = "";
  const waiting: { text: string; resolve: () => void }[] = [];
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const w of waiting.filter((w) => output.includes(w.text))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const printed = (text: string) =>
    output.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ text, resolve }));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, printed, exited };
}
