import { pool } from "../../lib/db";
import { prepareEvents, type TEventRow } from "../../lib/ingest/prepare";
import type { TAuthenticatedKey } from "../../lib/keys/authenticate";
import { settleDatabase, type TBenchOrg } from "./bench-database";
import { copyRows, serializeCopyRows } from "./copy";
import { CpuMeter, type TCpuSplit } from "./cpu";
import { fmt, type TLog } from "./format";
import type { TBenchOptions } from "./options";
import { waitQuiet } from "./scenarios";
import { EventStream } from "./workload";

// The physical limit next to the HTTP scenarios: rows prepared by lib/ingest/prepare (as the server
// would), then COPYed into the same "UsageEvent" table; only the COPY itself is timed.

export type TCopyResult = { rows: number; streams: number; seconds: number; rowsPerSecond: number; prepareSeconds: number; cpu: TCpuSplit };

export async function runCopy(copyOrg: TBenchOrg, tag: string, databaseUrl: string, meter: CpuMeter, opts: TBenchOptions, log: TLog): Promise<TCopyResult> {
  log(`COPY: preparing ${fmt(opts.copyRows)} rows with lib/ingest/prepare (validated, priced, attributed)…`);
  const t0 = performance.now();
  const rows: TEventRow[] = [];
  const perKey = Math.ceil(opts.copyRows / copyOrg.keys.length);
  for (let k = 0; k < copyOrg.keys.length; k++) {
    const key = copyOrg.keys[k];
    const authKey: TAuthenticatedKey = {
      id: key.id,
      orgId: copyOrg.orgId,
      orgSlug: copyOrg.slug,
      orgTimezone: "UTC",
      name: `bench ${key.teamSlug}`,
      prefix: "",
      scopes: ["ingest"],
      teamId: key.teamId,
      costCenterId: null,
      defaultAgent: null,
      allowedModels: [],
      rpmLimit: null,
      expiresAt: null,
    };
    const stream = new EventStream(`${tag}-copy-k${k}`, k, 50, 9000 + k);
    for (let done = 0; done < perKey && rows.length < opts.copyRows; ) {
      const n = Math.min(1000, perKey - done, opts.copyRows - rows.length);
      const events = Array.from({ length: n }, () => stream.next());
      const prepared = await prepareEvents(authKey, events);
      if (prepared.rejected.length) throw new Error(`bench bug: COPY rows rejected: ${JSON.stringify(prepared.rejected[0])}`);
      rows.push(...prepared.rows);
      done += n;
    }
  }
  const chunks = serializeCopyRows(rows);
  const prepareSeconds = (performance.now() - t0) / 1000;
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  log(`COPY: ${fmt(rows.length)} rows, ${fmt(bytes / 1e6, 1)} MB of COPY text ready in ${fmt(prepareSeconds, 1)} s; copying over ${opts.copyStreams} connection(s)…`);
  await settleDatabase();
  await waitQuiet(meter, opts.waitQuiet, log);
  global.gc?.();
  const before = meter.sample();
  const seconds = await copyRows(databaseUrl, chunks, opts.copyStreams);
  const after = meter.sample();
  const { rows: counted } = await pool().query(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [copyOrg.orgId]);
  if (counted[0].n !== rows.length) throw new Error(`COPY stored ${counted[0].n} rows, expected ${rows.length}`);
  const result: TCopyResult = { rows: rows.length, streams: opts.copyStreams, seconds, rowsPerSecond: rows.length / seconds, prepareSeconds, cpu: CpuMeter.split(before, after) };
  log(`COPY: ${fmt(result.rowsPerSecond)} rows/s (${fmt(seconds, 2)} s)`);
  return result;
}
