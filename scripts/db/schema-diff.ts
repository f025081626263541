/**
 * Offline replacement for `prisma migrate diff --from-empty|--from-schema … --to-schema … --script`
 * (PostgreSQL only), built on Prisma's WebAssembly schema engine instead of the native
 * `schema-engine` binary, which cannot be downloaded on every machine.
 *
 * How it works
 * - JS glue: `@prisma/schema-engine-wasm/schema_engine_bg` (wasm-bindgen `--target bundler` output).
 * - Wasm binary: `node_modules/prisma/build/schema_engine_bg.wasm`, i.e. the very engine build the
 *   installed prisma CLI ships (same commit as its native engines). This is the same pairing the
 *   prisma CLI itself used when it ran the Wasm engine (`wasmSchemaEngineLoader` in
 *   @prisma/internals). If that file is missing or its imports do not match the glue, the package's
 *   own `schema_engine_bg.wasm` is used instead. `SCHEMA_ENGINE_WASM=/path/to.wasm` overrides both.
 * - `SchemaEngine.new(options, logCallback, adapterFactory)` insists on a driver-adapter factory and
 *   connects eagerly: it runs one probe query (schema exists? / version()). We hand it an offline
 *   adapter that answers that probe with a fixed PostgreSQL 15 answer and refuses every other
 *   query, so a schema-to-schema diff never touches a database.
 * - `engine.diff({ from, to, script: true, … })` returns `{ exitCode, stdout }`. `stdout` is the
 *   rendered script with exactly one trailing newline — byte-for-byte what `prisma migrate diff
 *   --script` prints (the native engine prints `script + "\n"` through its JSON-RPC host, which
 *   strips one newline, and the CLI appends it back).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

type Glue = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
type WasmSchemaEngine = Awaited<ReturnType<Glue["SchemaEngine"]["new"]>>;

export interface DiffSchemasInput {
  /** Contents of the "from" Prisma schema file; `null` diffs from an empty database (`--from-empty`). */
  fromSchema: string | null;
  /** Contents of the "to" Prisma schema file. */
  toSchema: string;
  /** File names shown in schema validation errors. Defaults: "from.prisma" / "to.prisma". */
  fromPath?: string;
  toPath?: string;
  /** prisma.config.ts `tables.external` / `enums.external`, as `prisma migrate diff` passes them. */
  externalTables?: string[];
  externalEnums?: string[];
}

/** Error raised by the schema engine (e.g. P1012 schema validation errors). */
export class SchemaDiffError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SchemaDiffError";
    this.code = code;
  }
}

/**
 * Returns the SQL migration that turns `fromSchema` (or an empty database) into `toSchema`, exactly
 * as `prisma migrate diff --from-empty|--from-schema <from> --to-schema <to> --script` prints it
 * (including the trailing newline; "-- This is an empty migration.\n" when nothing changes).
 */
export async function diffSchemas(input: DiffSchemasInput): Promise<string> {
  const run = queue.then(() => runDiff(input));
  queue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

/** Which Wasm file and engine commit are in use (for diagnostics). */
export async function schemaEngineInfo(): Promise<{ wasmPath: string; gitHash: string }> {
  const loaded = await loadGlue();
  return { wasmPath: loaded.wasmPath, gitHash: loaded.glue.version() };
}

// ───────────────────────────── implementation ─────────────────────────────

// One diff at a time: the engine is cheap to create, and serialising keeps the panic bookkeeping simple.
let queue: Promise<void> = Promise.resolve();

async function runDiff(input: DiffSchemasInput): Promise<string> {
  const { fromSchema, toSchema } = input;
  if (typeof toSchema !== "string") throw new TypeError("diffSchemas: toSchema must be a string");
  if (fromSchema !== null && typeof fromSchema !== "string") {
    throw new TypeError("diffSchemas: fromSchema must be a string or null");
  }
  assertPostgres(toSchema, input.toPath ?? "to.prisma");
  if (fromSchema !== null) assertPostgres(fromSchema, input.fromPath ?? "from.prisma");

  const loaded = await loadGlue();
  const adapter = new OfflinePostgresAdapterFactory();
  let engine: WasmSchemaEngine | undefined;
  try {
    engine = await loaded.glue.SchemaEngine.new({ datamodels: undefined }, () => {}, adapter);
    const result = await engine.diff({
      from:
        fromSchema === null
          ? { tag: "empty" }
          : { tag: "schemaDatamodel", files: [{ path: input.fromPath ?? "from.prisma", content: fromSchema }] },
      to: { tag: "schemaDatamodel", files: [{ path: input.toPath ?? "to.prisma", content: toSchema }] },
      script: true,
      exitCode: null,
      filters: { externalTables: input.externalTables ?? [], externalEnums: input.externalEnums ?? [] },
    });
    if (typeof result.stdout !== "string") {
      throw new SchemaDiffError("schema engine returned no script (stdout was null)");
    }
    // Already ends with "\n"; normalise defensively so the contract holds across engine versions.
    return result.stdout.endsWith("\n") ? result.stdout : `${result.stdout}\n`;
  } catch (error) {
    throw translateError(error, adapter, loaded);
  } finally {
    try {
      engine?.free();
    } catch {
      // the instance may already be unusable after a panic
    }
  }
}

function assertPostgres(schema: string, file: string): void {
  const match = /datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*"([^"]*)"/.exec(schema);
  if (match && match[1] !== "postgresql" && match[1] !== "postgres") {
    throw new SchemaDiffError(`${file}: datasource provider "${match[1]}" is not supported (postgresql only)`);
  }
}

function translateError(error: unknown, adapter: OfflinePostgresAdapterFactory, loaded: LoadedGlue): Error {
  const panic = panicRegistry.take();
  if (panic !== undefined) {
    loaded.poisoned = true; // a panicked wasm instance must not be reused
    return new SchemaDiffError(`schema engine panicked: ${panic}`, undefined, { cause: error });
  }
  const err = error instanceof Error ? error : new Error(String(error));
  // Errors thrown by the offline adapter surface as "External error id#N".
  const external = /External error id#(\d+)/.exec(err.message);
  if (external) {
    const original = adapter.errors[Number(external[1])];
    if (original) return original;
  }
  const code = (err as { code?: unknown }).code;
  return new SchemaDiffError(stripSpanTrace(err.message), typeof code === "string" ? code : undefined, {
    cause: error,
  });
}

/** Drops the Rust span trace ("   0: schema_engine_wasm::…\n      at …") the engine appends to messages. */
function stripSpanTrace(message: string): string {
  const lines = message.split("\n");
  const start = lines.findIndex((line) => /^\s*0: [\w:]+/.test(line));
  return (start === -1 ? lines : lines.slice(0, start)).join("\n").trimEnd();
}

// ─────────────────────────────── Wasm loading ───────────────────────────────

interface LoadedGlue {
  glue: Glue;
  wasmPath: string;
  poisoned: boolean;
}

const GLUE_IMPORT_MODULE = "./schema_engine_bg.js";
const requireFromHere = createRequire(import.meta.url);
let loading: Promise<LoadedGlue> | undefined;
let generation = 0;

async function loadGlue(): Promise<LoadedGlue> {
  if (loading) {
    const current = await loading.catch(() => undefined);
    if (current && !current.poisoned) return current;
  }
  loading = instantiate(generation++);
  return loading;
}

async function instantiate(gen: number): Promise<LoadedGlue> {
  installPanicRegistry();
  const gluePath = requireFromHere.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  // wasm-bindgen glue holds module-level state bound to one instance; a fresh URL gives a fresh
  // module record, which is what we need after a panic.
  const url = pathToFileURL(gluePath);
  if (gen > 0) url.search = `?instance=${gen}`;
  const glue = (await import(url.href)) as Glue;
  const glueExports = new Set(Object.keys(glue));

  const candidates: string[] = [];
  if (process.env.SCHEMA_ENGINE_WASM) candidates.push(path.resolve(process.env.SCHEMA_ENGINE_WASM));
  try {
    candidates.push(path.join(path.dirname(requireFromHere.resolve("prisma/package.json")), "build", "schema_engine_bg.wasm"));
  } catch {
    // prisma CLI not installed: fall through to the package's own binary
  }
  candidates.push(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));

  const problems: string[] = [];
  for (const wasmPath of candidates) {
    let wasmModule: WebAssembly.Module;
    try {
      wasmModule = new WebAssembly.Module(readFileSync(wasmPath));
    } catch (error) {
      problems.push(`${wasmPath}: ${(error as Error).message}`);
      continue;
    }
    const missing = WebAssembly.Module.imports(wasmModule).filter(
      (imp) => imp.module !== GLUE_IMPORT_MODULE || !glueExports.has(imp.name),
    );
    if (missing.length > 0) {
      problems.push(`${wasmPath}: glue does not provide ${missing.map((m) => m.name).join(", ")}`);
      continue;
    }
    const instance = new WebAssembly.Instance(wasmModule, {
      [GLUE_IMPORT_MODULE]: glue as unknown as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return { glue, wasmPath, poisoned: false };
  }
  throw new SchemaDiffError(`could not load a compatible schema engine wasm:\n  ${problems.join("\n  ")}`);
}

// The Rust panic hook reports through globalThis.PRISMA_WASM_PANIC_REGISTRY.set_message().
const panicRegistry = {
  message: undefined as string | undefined,
  set_message(message: string) {
    this.message = `RuntimeError: ${message}`;
  },
  take(): string | undefined {
    const message = this.message;
    this.message = undefined;
    return message;
  },
};

function installPanicRegistry(): void {
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
  // Keep an existing registry (e.g. from the prisma CLI in the same process) but still capture messages.
  const previous = g.PRISMA_WASM_PANIC_REGISTRY;
  if (previous === undefined || previous === panicRegistry) {
    g.PRISMA_WASM_PANIC_REGISTRY = panicRegistry;
  } else if (!(previous as { __schemaDiffWrapped?: boolean }).__schemaDiffWrapped) {
    g.PRISMA_WASM_PANIC_REGISTRY = {
      __schemaDiffWrapped: true,
      set_message(message: string) {
        panicRegistry.set_message(message);
        previous.set_message(message);
      },
    } as { set_message(message: string): void };
  }
}

// ──────────────────────────── offline driver adapter ────────────────────────────
// Shapes follow @prisma/driver-adapter-utils' "error capturing" adapters (bindMigrationAwareSqlAdapterFactory):
// every method resolves to { ok: true, value } or { ok: false, error: { kind: "GenericJs", id } }.

type Result<T> = { ok: true; value: T } | { ok: false; error: { kind: "GenericJs"; id: number } };

interface SqlQuery {
  sql: string;
  args: unknown[];
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

// ColumnTypeEnum values from @prisma/driver-adapter-utils.
const COLUMN_INT32 = 0;
const COLUMN_BOOLEAN = 5;
const COLUMN_TEXT = 7;

/** What the connector asks on connect; answered the way @prisma/adapter-pg does for a PG 15 server. */
const PROBE_MARKER = "server_version_num";
const FAKE_SERVER_VERSION = "PostgreSQL 15.0 (offline schema diff)";
const FAKE_SERVER_VERSION_NUM = 150000;

class OfflinePostgresAdapterFactory {
  readonly provider = "postgres";
  readonly adapterName = "burnrate-offline-schema-diff";
  readonly errors: Error[] = [];

  async connect(): Promise<Result<OfflinePostgresAdapter>> {
    return ok(new OfflinePostgresAdapter(this));
  }

  async connectToShadowDb(): Promise<Result<OfflinePostgresAdapter>> {
    return ok(new OfflinePostgresAdapter(this));
  }

  refuse(what: string): Result<never> {
    const id =
      this.errors.push(
        new SchemaDiffError(
          `offline schema diff: the schema engine tried to ${what}; only schema-to-schema diffs work without a database`,
        ),
      ) - 1;
    return { ok: false, error: { kind: "GenericJs", id } };
  }
}

class OfflinePostgresAdapter {
  readonly provider = "postgres";
  readonly adapterName = "burnrate-offline-schema-diff";

  constructor(private readonly factory: OfflinePostgresAdapterFactory) {}

  async queryRaw(query: SqlQuery) {
    if (query.sql.includes(PROBE_MARKER)) {
      return ok({
        columnNames: ["exists", "version", "numeric_version"],
        columnTypes: [COLUMN_BOOLEAN, COLUMN_TEXT, COLUMN_INT32],
        rows: [[true, FAKE_SERVER_VERSION, FAKE_SERVER_VERSION_NUM]],
      });
    }
    return this.factory.refuse(`run a query (${query.sql.slice(0, 120)})`);
  }

  async executeRaw(query: SqlQuery) {
    return this.factory.refuse(`execute a statement (${query.sql.slice(0, 120)})`);
  }

  async executeScript(_script: string) {
    return this.factory.refuse("execute a script");
  }

  async startTransaction() {
    return this.factory.refuse("start a transaction");
  }

  async dispose() {
    return ok(undefined);
  }
}
