import { pool } from "../db";
import { formatUsd } from "../money";
import { rangeBounds } from "../rollups/range";
import { findCatalogModel } from "./catalog";
import { resolveRates } from "./cost";
import { findOverride } from "./overrides";
import { listModelPrices, loadPriceOverrides, type TModelPriceRow } from "./price-overrides";

// The models page: every model the org called in a range, with the price that applies to it now,
// where that price comes from, and what the calls cost — read from the hourly rollups (whole hours)
// and the raw events of the partial hours at the range's edges, like the spend API, so the page's
// spend equals GET /api/v1/spend for the same range to the cent. Calls nothing priced (UNPRICED)
// count $0 everywhere; the page lists them apart so someone adds a price.

export type TModelPrice = {
  source: "CATALOG" | "OVERRIDE";
  /** The catalogue entry the name resolved to ("openai:gpt-4o"), also under an override; null if none. */
  catalogModelId: string | null;
  /** USD per million tokens, exact decimal strings. Cache rates null = billed at the input rate. */
  inputMtok: string;
  outputMtok: string;
  cacheReadMtok: string | null;
  cacheWriteMtok: string | null;
  /** Input sizes above which a long-context tier replaces these rates for the whole call (catalogue only). */
  tierThresholds: number[];
  /** A flat fee per call on top (catalogue only), or null. */
  perCallUsd: string | null;
  /** The override in force (its dates), when source is OVERRIDE. */
  override: { id: string; provider: string | null; effectiveFrom: string; effectiveTo: string | null } | null;
};

export type TModelUsage = {
  model: string;
  /** The provider its latest call in the range named (prices can differ by provider). */
  provider: string | null;
  calls: number;
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: string;
  firstSeen: string;
  lastSeen: string;
  /** The price a call of this model made at the range's end gets; null = none (UNPRICED, $0). */
  price: TModelPrice | null;
};

export type TModelsInUse = {
  from: string;
  to: string;
  models: TModelUsage[];
  /** Calls that name no model (tool calls): their reported cost, if any, is in the total. */
  noModel: { calls: number; costUsd: string } | null;
  totalUsd: string;
  totalCalls: number;
  unpricedCalls: number;
  overrides: TModelPriceRow[];
};

type TRow = {
  m: string;
  calls: number;
  unpriced: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  cost: string;
  first: Date;
  last: Date;
  provider: string | null;
  total: string;
};

// $4 / $5: the first and last whole local hours of the range (lib/rollups/range.ts rangeBounds),
// given as plain instants so each part is an index range: rollups for the whole hours, the events of
// the partial hours at either edge only.
const EVENT_COLUMNS = `coalesce(e.model, ''), 1, (e."costSource" = 'UNPRICED')::int, e."inputTokens", e."outputTokens", e."cacheReadTokens",
         e."cacheWriteTokens", e."costUsd", e."occurredAt", e."occurredAt"`;

const SQL = `
WITH src AS (
  SELECT r.model AS m, r.calls, r."unpricedCalls" AS unpriced, r."inputTokens" AS input, r."outputTokens" AS output,
         r."cacheReadTokens" AS cache_read, r."cacheWriteTokens" AS cache_write, r."costUsd" AS cost, r.hour AS first, r.hour AS last
    FROM "UsageRollup" r
   WHERE r."orgId" = $1 AND r.hour >= $4::timestamptz AND r.hour < $5::timestamptz
  UNION ALL
  SELECT ${EVENT_COLUMNS} FROM "UsageEvent" e WHERE e."orgId" = $1 AND e."occurredAt" >= $2::timestamptz AND e."occurredAt" < $4::timestamptz
  UNION ALL
  SELECT ${EVENT_COLUMNS} FROM "UsageEvent" e WHERE e."orgId" = $1 AND e."occurredAt" >= $5::timestamptz AND e."occurredAt" < $3::timestamptz
),
g AS (
  SELECT m, sum(calls)::bigint AS calls, sum(unpriced)::bigint AS unpriced, sum(input)::bigint AS input, sum(output)::bigint AS output,
         sum(cache_read)::bigint AS cache_read, sum(cache_write)::bigint AS cache_write, sum(cost) AS cost, min(first) AS first, max(last) AS last
    FROM src GROUP BY m
)
SELECT g.m, g.calls, g.unpriced, g.input, g.output, g.cache_read, g.cache_write, g.cost::text AS cost, g.first, g.last,
       (sum(g.cost) OVER ())::text AS total,
       -- The provider of its latest call: read from the events of its last hour only (never a range scan).
       CASE WHEN g.m <> '' THEN (SELECT e.provider FROM "UsageEvent" e
          WHERE e."orgId" = $1 AND e.model = g.m AND e."occurredAt" >= g.last AND e."occurredAt" < least(g.last + interval '1 hour', $3::timestamptz)
            AND e.provider IS NOT NULL ORDER BY e."occurredAt" DESC LIMIT 1) END AS provider
  FROM g ORDER BY g.cost DESC, g.calls DESC, g.m`;

export async function modelsInUse(args: { orgId: string; timezone: string; from: Date; to: Date }): Promise<TModelsInUse> {
  const [{ rows }, overrides, overrideRows] = await Promise.all([
    rangeBounds(args.from, args.to, args.timezone).then((b) => pool().query<TRow>(SQL, [args.orgId, args.from, args.to, b.hf, b.ht])),
    loadPriceOverrides(args.orgId),
    listModelPrices(args.orgId),
  ]);
  const byId = new Map(overrideRows.map((o) => [o.id, o]));
  // Prices as a call at the range's end would get them (now, for a range up to now).
  const at = new Date(Math.min(args.to.getTime() - 1, Date.now()));
  const models: TModelUsage[] = [];
  let noModel: TModelsInUse["noModel"] = null;
  for (const r of rows) {
    if (r.m === "") {
      noModel = { calls: r.calls, costUsd: formatUsd(r.cost) };
      continue;
    }
    models.push({
      model: r.m,
      provider: r.provider,
      calls: r.calls,
      unpricedCalls: r.unpriced,
      inputTokens: r.input,
      outputTokens: r.output,
      cacheReadTokens: r.cache_read,
      cacheWriteTokens: r.cache_write,
      costUsd: formatUsd(r.cost),
      firstSeen: r.first.toISOString(),
      lastSeen: r.last.toISOString(),
      price: priceOf(r.m, r.provider, at, overrides, byId),
    });
  }
  return {
    from: args.from.toISOString(),
    to: args.to.toISOString(),
    models,
    noModel,
    totalUsd: formatUsd(rows[0]?.total ?? "0"),
    totalCalls: rows.reduce((n, r) => n + r.calls, 0),
    unpricedCalls: rows.reduce((n, r) => n + r.unpriced, 0),
    overrides: overrideRows,
  };
}

function priceOf(
  model: string,
  provider: string | null,
  at: Date,
  overrides: Awaited<ReturnType<typeof loadPriceOverrides>>,
  byId: Map<string, TModelPriceRow>,
): TModelPrice | null {
  const resolved = resolveRates({ provider, model, at, overrides });
  if (!resolved) return null;
  const { rates } = resolved;
  const fixed = (d: { toFixed: () => string } | null) => (d === null ? null : formatUsd(d.toFixed()));
  const override = resolved.source === "OVERRIDE" ? findOverride(overrides, provider, model, at) : null;
  const row = override ? byId.get(override.id) : undefined;
  return {
    source: resolved.source,
    catalogModelId: resolved.catalogModelId ?? findCatalogModel(provider, model)?.catalogModelId ?? null,
    inputMtok: formatUsd(rates.inputMtok.toFixed()),
    outputMtok: formatUsd(rates.outputMtok.toFixed()),
    cacheReadMtok: fixed(rates.cacheReadMtok),
    cacheWriteMtok: fixed(rates.cacheWriteMtok),
    tierThresholds: rates.tiers.map((t) => t.aboveInputTokens),
    perCallUsd: rates.perRequestUsd ? rates.perRequestUsd.toFixed() : null,
    override: row ? { id: row.id, provider: row.provider, effectiveFrom: row.effectiveFrom, effectiveTo: row.effectiveTo } : null,
  };
}
