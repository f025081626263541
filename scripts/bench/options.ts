import { readFileSync } from "node:fs";

// Command-line options of the ingest bench (usage: the header comment of ingest.ts, printed by --help).
export type TScenarioName = "batch100" | "batch1000" | "single";
export const ALL_PARTS = ["batch100", "batch1000", "single", "copy"] as const;

export type TBenchOptions = ReturnType<typeof parseArgs>;

// `usageFile`: the file whose `//` lines are the --help text.
export function parseArgs(argv: string[], usageFile: URL) {
  const opts = {
    seconds: 10,
    warmup: 2,
    only: new Set<string>(ALL_PARTS),
    // ~8 s of COPY on this machine: as long as an HTTP phase, so a swing in the machine's speed weighs alike on both.
    copyRows: 600_000,
    copyStreams: 1,
    singleClients: 16,
    serverEnv: {} as Record<string, string>,
    build: false,
    keepData: false,
    strict: false,
    verbose: false,
    profile: null as string | null,
    // V8/Node flags for the server process (NODE_OPTIONS refuses --trace-gc and its kin).
    nodeFlags: [] as string[],
    waitQuiet: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${arg} needs a non-negative number`);
      return n;
    };
    switch (arg) {
      case "--seconds": opts.seconds = num(); break;
      case "--warmup": opts.warmup = num(); break;
      case "--only": {
        opts.only = new Set(value().split(",").map((s) => s.trim()).filter(Boolean));
        for (const p of opts.only) if (!(ALL_PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part ${p} (${ALL_PARTS.join(", ")})`);
        break;
      }
      case "--copy-rows": opts.copyRows = Math.floor(num()); break;
      case "--copy-streams": opts.copyStreams = Math.max(1, Math.floor(num())); break;
      case "--single-clients": opts.singleClients = Math.max(1, Math.floor(num())); break;
      case "--group-wait": opts.serverEnv.INGEST_GROUP_MAX_WAIT_MS = String(num()); break;
      case "--pool": opts.serverEnv.DATABASE_POOL_SIZE = String(num()); break;
      case "--server-env": {
        const kv = value();
        const eq = kv.indexOf("=");
        if (eq < 1) throw new Error("--server-env needs KEY=VALUE");
        opts.serverEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case "--build": opts.build = true; break;
      case "--keep-data": opts.keepData = true; break;
      case "--strict": opts.strict = true; break;
      case "--verbose": opts.verbose = true; break;
      case "--profile": opts.profile = value(); break;
      case "--node-flag": opts.nodeFlags.push(value()); break;
      case "--wait-quiet": opts.waitQuiet = num(); break;
      case "-h":
      case "--help":
        console.log(readFileSync(usageFile, "utf8").split("\n").filter((l) => l.startsWith("//")).join("\n"));
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg} (see --help)`);
    }
  }
  return opts;
}
