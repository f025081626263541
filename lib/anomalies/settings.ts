import { z } from "zod";

// Runaway detection per org: each kind on or off, its thresholds, and whether the circuit breaker
// stops the execution (docs/architecture.md §6 "Anomalies"). Stored as one JSON document on the
// organization; a missing key means the default below, so the SQL that reads the document
// (settingSql) and the settings page agree on one set of defaults, and a better default reaches
// every org that never changed it.

const usd = z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, "must be a USD amount like 2 or 0.50");

export const ZAnomalySettings = z.strictObject({
  retryLoop: z.strictObject({
    enabled: z.boolean(),
    // Stop the execution when a loop is caught.
    block: z.boolean(),
    // This many calls with one fingerprint…
    minCalls: z.number().int().min(2).max(100),
    // …within this many minutes.
    windowMinutes: z.number().int().min(1).max(1440),
    // Without a client fingerprint, calls are "the same" when model, tool and error type match and
    // input and output sizes are within this many percent.
    sizeTolerancePercent: z.number().min(0).max(50),
  }),
  costSpike: z.strictObject({
    enabled: z.boolean(),
    // Stop the execution when it costs more than factor × its agent's median execution.
    block: z.boolean(),
    factor: z.number().min(1.5).max(1000),
    // Finished executions of the agent needed before the median means anything.
    minHistory: z.number().int().min(5).max(100),
    // …and the execution has cost at least this much (6 cents at 16× a 0.4-cent median is noise).
    minUsd: usd,
    // One call above this is a spike on its own; null = no per-call limit.
    perCallLimitUsd: usd.nullable(),
    // Stop the execution when one call exceeds the per-call limit.
    blockPerCall: z.boolean(),
  }),
  contextGrowth: z.strictObject({
    enabled: z.boolean(),
    block: z.boolean(),
    // Largest input of a call ≥ factor × its first call's input…
    factor: z.number().min(1.5).max(1000),
    // …and at least this many tokens: an agent whose context grows from 3k to 30k over a task is
    // normal; one resending 100k+ tokens a call ($0.30 a call on Sonnet, $1.50 on Opus) is burning money.
    minInputTokens: z.number().int().min(0).max(10_000_000),
  }),
  velocity: z.strictObject({
    enabled: z.boolean(),
    // The org's (or one agent's) spend in the last minute above this; null = only the factor rule.
    limitUsdPerMinute: usd.nullable(),
    // …or above factor × its trailing 24-hour average per minute…
    factor: z.number().min(1.5).max(10_000),
    // …when that minute cost at least this much (cents a minute are never a runaway).
    minUsdPerMinute: usd,
  }),
  modelMisuse: z.strictObject({
    enabled: z.boolean(),
    // An agent whose calls used one model at least this share of the time over 30 days…
    usualSharePercent: z.number().min(50).max(100),
    // …calling a model whose input price is at least this many times the usual one's.
    priceFactor: z.number().min(1.5).max(1000),
  }),
});

export type TAnomalySettings = z.infer<typeof ZAnomalySettings>;

export const DEFAULT_ANOMALY_SETTINGS: TAnomalySettings = {
  retryLoop: { enabled: true, block: true, minCalls: 3, windowMinutes: 10, sizeTolerancePercent: 2 },
  costSpike: { enabled: true, block: false, factor: 5, minHistory: 20, minUsd: "0.50", perCallLimitUsd: "2", blockPerCall: true },
  contextGrowth: { enabled: true, block: false, factor: 5, minInputTokens: 100_000 },
  velocity: { enabled: true, limitUsdPerMinute: null, factor: 10, minUsdPerMinute: "1" },
  modelMisuse: { enabled: true, usualSharePercent: 90, priceFactor: 5 },
};

// A stored document may lack keys (written by an older version) or hold some that no longer
// validate: each setting falls back to its default on its own. Read after every ingest write, so
// the result is shared and frozen (callers clone before changing it), and remembered per document.
const FROZEN_DEFAULTS = deepFreeze(structuredClone(DEFAULT_ANOMALY_SETTINGS));
const parsedDocuments = new Map<string, TAnomalySettings>();

export function anomalySettingsOf(stored: unknown): TAnomalySettings {
  if (!stored || typeof stored !== "object") return FROZEN_DEFAULTS;
  const key = JSON.stringify(stored);
  const known = parsedDocuments.get(key);
  if (known) return known;
  const out = structuredClone(DEFAULT_ANOMALY_SETTINGS) as Record<string, Record<string, unknown>>;
  const shape = ZAnomalySettings.shape as Record<string, z.ZodObject>;
  for (const [kind, defaults] of Object.entries(out)) {
    const given = (stored as Record<string, unknown>)[kind];
    if (!given || typeof given !== "object") continue;
    for (const name of Object.keys(defaults)) {
      const value = (given as Record<string, unknown>)[name];
      if (value === undefined) continue;
      const field = shape[kind].shape[name] as z.ZodType;
      if (field.safeParse(value).success) defaults[name] = value;
    }
  }
  const settings = deepFreeze(out as TAnomalySettings);
  if (parsedDocuments.size >= 1000) parsedDocuments.delete(parsedDocuments.keys().next().value!);
  parsedDocuments.set(key, settings);
  return settings;
}

function deepFreeze<T>(value: T): T {
  for (const inner of Object.values(value as object)) if (inner && typeof inner === "object") deepFreeze(inner);
  return Object.freeze(value);
}

type TKind = keyof TAnomalySettings;

// One setting as SQL over the org's stored document `doc` (jsonb), its default inlined: the
// detectors read an org's settings in the statement that uses them, so every replica sees a change
// at once. Only the compile-time names below reach the SQL text (no user input).
export function settingSql<K extends TKind>(doc: string, kind: K, name: keyof TAnomalySettings[K] & string): string {
  const fallback = DEFAULT_ANOMALY_SETTINGS[kind][name] as unknown;
  const path = `(${doc} -> '${kind}' ->> '${name}')`;
  if (typeof fallback === "boolean") return `coalesce(${path}::boolean, ${fallback})`;
  if (typeof fallback === "number") return `coalesce(${path}::numeric, ${fallback})`;
  if (fallback === null) return `${path}::numeric`;
  // A USD string default; an explicit JSON null means "off" and stays null.
  return `CASE WHEN ${doc} -> '${kind}' ? '${name}' THEN ${path}::numeric ELSE ${String(fallback)}::numeric END`;
}
