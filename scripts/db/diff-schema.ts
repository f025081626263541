/**
 * Print the PostgreSQL migration between two Prisma schema files — the offline equivalent of
 * `prisma migrate diff --from-empty|--from-schema <a> --to-schema <b> --script` (same bytes on stdout),
 * running Prisma's Wasm schema engine in-process, so no native schema-engine binary and no database
 * are needed.
 *
 *   npx tsx scripts/db/diff-schema.ts --from-empty --to prisma/schema.prisma
 *   npx tsx scripts/db/diff-schema.ts --from old.prisma --to new.prisma [-o migration.sql]
 */
import { statSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { diffSchemas } from "./schema-diff";

const USAGE = `Usage:
  tsx scripts/db/diff-schema.ts (--from-empty | --from <old.prisma>) --to <new.prisma> [-o <file>]

Prints the SQL migration (postgresql) from the "from" schema (or an empty database) to the "to"
schema, exactly as \`prisma migrate diff --script\` would.

Options:
  --from-empty          Diff from an empty database
  --from <file>         Source Prisma schema file (alias: --from-schema)
  --to <file>           Target Prisma schema file (alias: --to-schema)
  -o, --output <file>   Write the SQL to <file> instead of stdout
  -h, --help            Show this help
`;

export interface DiffCliArgs {
  fromEmpty: boolean;
  from?: string;
  to?: string;
  output?: string;
  help: boolean;
}

export function parseDiffArgs(argv: string[]): DiffCliArgs {
  const args: DiffCliArgs = { fromEmpty: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
    const flag = eq === -1 ? raw : raw.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return raw.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined || next === "") throw new UsageError(`${flag} needs a file path`);
      return next;
    };
    switch (flag) {
      case "--from-empty":
        args.fromEmpty = true;
        break;
      case "--from":
      case "--from-schema":
        args.from = value();
        break;
      case "--to":
      case "--to-schema":
        args.to = value();
        break;
      case "-o":
      case "--output":
        args.output = value();
        break;
      case "-h":
      case "--help":
        args.help = true;
        break;
      default:
        throw new UsageError(`unknown argument: ${raw}`);
    }
  }
  if (args.help) return args;
  if (args.fromEmpty === (args.from !== undefined)) {
    throw new UsageError("pass exactly one of --from-empty or --from <file>");
  }
  if (args.to === undefined) throw new UsageError("--to <file> is required");
  return args;
}

class UsageError extends Error {}

function readSchema(file: string): string {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    throw new Error(`schema file not found: ${file}`);
  }
  if (stats.isDirectory()) throw new Error(`${file} is a directory; pass a single .prisma file`);
  return readFileSync(file, "utf8");
}

export async function main(argv: string[]): Promise<number> {
  let args: DiffCliArgs;
  try {
    args = parseDiffArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
    return 1;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  try {
    const sql = await diffSchemas({
      fromSchema: args.from === undefined ? null : readSchema(args.from),
      fromPath: args.from,
      toSchema: readSchema(args.to!),
      toPath: args.to,
    });
    if (args.output) writeFileSync(args.output, sql);
    else process.stdout.write(sql);
    return 0;
  } catch (error) {
    const err = error as Error & { code?: string };
    process.stderr.write(`error${err.code ? ` ${err.code}` : ""}: ${err.message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
