import { findProvider, type MatchLogic, type ModelInfo, type ModelPrice, type Provider } from "@pydantic/genai-prices";
import { ratesFromCatalogPrice, type TModelRates } from "./rates";

// Lookup of a (provider, model) pair in the bundled genai-prices catalogue. Matching follows the
// library's own rules (provider by id or provider_match, model by `match` logic, fallback providers,
// -YYYYMMDD -> -YYYY-MM-DD retry) but runs once per distinct pair: results are memoized, so the ingest
// hot path is one Map lookup plus the choice of the time-dependent price.

// Names callers use for a provider -> genai-prices provider id. Ids the catalogue already knows
// ("openai", "anthropic", "groq", ...) and its own provider_match rules (e.g. "vertex" -> google,
// "bedrock" -> aws) work without an entry; these cover the rest seen in SDKs and gateways.
const PROVIDER_ALIASES: ReadonlyMap<string, string> = new Map([
  ["gemini", "google"],
  ["google-genai", "google"],
  ["google_genai", "google"],
  ["google-gla", "google"],
  ["google-vertex", "google"],
  ["vertex_ai", "google"],
  ["vertexai", "google"],
  ["bedrock", "aws"],
  ["aws-bedrock", "aws"],
  ["amazon-bedrock", "aws"],
  ["bedrock_converse", "aws"],
  ["azure_openai", "azure"],
  ["azure-openai", "azure"],
  ["azure_ai", "azure"],
  ["mistralai", "mistral"],
  ["xai", "x-ai"],
  ["x.ai", "x-ai"],
  ["grok", "x-ai"],
  ["together_ai", "together"],
  ["together-ai", "together"],
  ["togetherai", "together"],
  ["fireworks_ai", "fireworks"],
  ["fireworks-ai", "fireworks"],
  ["moonshot", "moonshotai"],
  ["kimi", "moonshotai"],
  ["zhipu", "zhipuai"],
  ["z-ai", "zai"],
  ["z.ai", "zai"],
  ["voyage", "voyageai"],
  ["cloudflare-workers-ai", "cloudflare"],
  ["workers-ai", "cloudflare"],
  ["copilot", "github-copilot"],
]);

/** Lower-cased, trimmed provider name mapped to its genai-prices id when we know an alias. */
export function canonicalProvider(provider: string): string {
  const p = provider.trim().toLowerCase();
  return PROVIDER_ALIASES.get(p) ?? p;
}

type TConstraint = { kind: "start_date"; fromMs: number } | { kind: "time_of_day"; startSec: number; endSec: number };
type TVariant = { constraint: TConstraint | null; rates: TModelRates | null };

/** A catalogue model prepared for pricing: its price variants with parsed constraints and exact rates. */
export type TCatalogModel = { catalogModelId: string; variants: readonly TVariant[] };

// "HH:MM:SS[.fff](Z|±HH:MM)" -> seconds after UTC midnight, like genai-prices' own parser.
function parseTimeOfDay(s: string): number | null {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (!m) return null;
  const [, hh, mm, ss, frac = "", zone, sign, oh = "00", om = "00"] = m;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59 || Number(oh) > 23 || Number(om) > 59) return null;
  const local = Number(hh) * 3600 + Number(mm) * 60 + Number(ss) + Number(`0.${frac}`);
  const offset = zone === "Z" ? 0 : (sign === "+" ? 1 : -1) * (Number(oh) * 60 + Number(om)) * 60;
  return (local - offset + 86400) % 86400;
}

function parseConstraint(raw: unknown): TConstraint | null | "invalid" {
  if (raw === undefined) return null;
  if (typeof raw !== "object" || raw === null) return "invalid";
  const c = raw as Record<string, unknown>;
  if (c.type === "start_date" && typeof c.start_date === "string") {
    const fromMs = Date.parse(c.start_date); // "YYYY-MM-DD" parses as UTC midnight, as in the library
    return Number.isNaN(fromMs) ? "invalid" : { kind: "start_date", fromMs };
  }
  if (c.type === "time_of_date" && typeof c.start_time === "string" && typeof c.end_time === "string") {
    const startSec = parseTimeOfDay(c.start_time);
    const endSec = parseTimeOfDay(c.end_time);
    return startSec === null || endSec === null ? "invalid" : { kind: "time_of_day", startSec, endSec };
  }
  return "invalid";
}

const prepared = new WeakMap<ModelInfo, TCatalogModel | null>();

function prepareModel(owner: Provider, model: ModelInfo): TCatalogModel | null {
  const cached = prepared.get(model);
  if (cached !== undefined) return cached;
  let result: TCatalogModel | null = null;
  const entries: { constraint?: unknown; prices: ModelPrice }[] = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
  const variants: TVariant[] = [];
  let valid = entries.length > 0;
  for (const e of entries) {
    const constraint = parseConstraint(e.constraint);
    if (constraint === "invalid") valid = false;
    else variants.push({ constraint, rates: ratesFromCatalogPrice(e.prices) });
  }
  // A constraint we cannot evaluate would make us pick an arbitrary price: leave the model unpriced.
  if (valid) result = { catalogModelId: `${owner.id}:${model.id}`, variants };
  prepared.set(model, result);
  return result;
}

/**
 * The rates in force at `at`, chosen exactly like genai-prices: scan the variants from last to first,
 * take the first whose constraint holds (start_date: at >= date; time_of_date: UTC time of day in
 * [start, end), wrapping past midnight when end < start); if none holds, the first variant.
 */
export function catalogRatesAt(model: TCatalogModel, at: Date): TModelRates | null {
  const v = model.variants;
  if (v.length === 1) return v[0].rates;
  const t = at.getTime();
  if (Number.isNaN(t)) return null;
  for (let i = v.length - 1; i >= 0; i--) {
    const c = v[i].constraint;
    if (c === null) return v[i].rates;
    if (c.kind === "start_date") {
      if (t >= c.fromMs) return v[i].rates;
    } else {
      const sec = at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds() + at.getUTCMilliseconds() / 1000;
      const inWindow = c.endSec < c.startSec ? sec >= c.startSec || sec < c.endSec : sec >= c.startSec && sec < c.endSec;
      if (inWindow) return v[i].rates;
    }
  }
  return v[0].rates;
}

function matches(logic: MatchLogic, id: string): boolean {
  if ("or" in logic) return logic.or.some((l) => matches(l, id));
  if ("and" in logic) return logic.and.every((l) => matches(l, id));
  if ("equals" in logic) return id === logic.equals.toLowerCase();
  if ("starts_with" in logic) return id.startsWith(logic.starts_with.toLowerCase());
  if ("ends_with" in logic) return id.endsWith(logic.ends_with.toLowerCase());
  if ("contains" in logic) return id.includes(logic.contains.toLowerCase());
  if ("regex" in logic) return new RegExp(logic.regex).test(id);
  return false;
}

type TFound = { owner: Provider; model: ModelInfo };

// The library looks in the provider, then (one level only) in its fallback_model_providers.
function matchInProvider(provider: Provider, id: string, withFallbacks: boolean): TFound | null {
  const model = provider.models.find((m) => matches(m.match, id));
  if (model) return { owner: provider, model };
  if (withFallbacks && provider.fallback_model_providers) {
    for (const fallbackId of provider.fallback_model_providers) {
      const fallback = findProvider({ providerId: fallbackId });
      const found = fallback ? matchInProvider(fallback, id, false) : null;
      if (found) return found;
    }
  }
  return null;
}

// "claude-sonnet-4-20250514" is retried as "claude-sonnet-4-2025-05-14" (valid dates only), as the library does.
const COMPACT_DATE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;
function expandDates(id: string): string {
  return id.replace(COMPACT_DATE, (whole, dash: string, y: string, mo: string, d: string) => {
    const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    return date.getUTCMonth() === Number(mo) - 1 && date.getUTCDate() === Number(d) ? `${dash}${y}-${mo}-${d}` : whole;
  });
}

function findInProvider(provider: Provider, id: string): TFound | null {
  const found = matchInProvider(provider, id, true);
  if (found) return found;
  const expanded = expandDates(id);
  return expanded !== id ? matchInProvider(provider, expanded, true) : null;
}

function lookup(provider: string | null | undefined, model: string): TCatalogModel | null {
  const id = model.trim().toLowerCase();
  if (id.length === 0) return null;
  let found: TFound | null = null;
  // 1. The provider the caller named (aliases, then the catalogue's own id / provider_match rules).
  if (provider && provider.trim()) {
    const p = findProvider({ providerId: canonicalProvider(provider) });
    if (p) found = findInProvider(p, id);
  }
  // 2. "openai/gpt-4o" (LiteLLM, OpenRouter) or "anthropic:claude-..." (genai-prices CLI, pydantic-ai):
  //    only when the prefix is exactly a provider id or alias, so "accounts/fireworks/..." is left alone.
  if (!found) {
    const sep = id.search(/[:/]/);
    if (sep > 0 && sep < id.length - 1) {
      const pid = canonicalProvider(id.slice(0, sep));
      const p = findProvider({ providerId: pid });
      if (p && p.id === pid) found = findInProvider(p, id.slice(sep + 1));
    }
  }
  // 3. No (usable) provider: the provider whose model_match claims the name, as calcPrice does.
  if (!found) {
    const p = findProvider({ modelId: id });
    if (p) found = findInProvider(p, id);
  }
  return found ? prepareModel(found.owner, found.model) : null;
}

// Bounded LRU memo of (provider, model) -> catalogue model, including misses (unknown models are common
// and the full scan is the expensive case). Keys are the raw strings: case variants simply get their own entry.
const MEMO_MAX = 5000;
const memo = new Map<string, TCatalogModel | null>();

export function findCatalogModel(provider: string | null | undefined, model: string): TCatalogModel | null {
  const key = `${provider ?? ""}\u0000${model}`;
  const hit = memo.get(key);
  if (hit !== undefined) {
    if (memo.size > MEMO_MAX / 2) {
      // Refresh recency only when eviction is plausible; below half full the reordering is wasted work.
      memo.delete(key);
      memo.set(key, hit);
    }
    return hit;
  }
  let found: TCatalogModel | null;
  try {
    found = lookup(provider, model);
  } catch {
    found = null; // e.g. a malformed regex in the catalogue: unpriced, never a crash in ingest
  }
  memo.set(key, found);
  if (memo.size > MEMO_MAX) {
    const oldest = memo.keys().next();
    if (!oldest.done) memo.delete(oldest.value);
  }
  return found;
}

/** For tests and after a catalogue update (genai-prices updatePrices): forget every memoized match. */
export function clearCatalogMemo(): void {
  memo.clear();
}

export function catalogMemoSize(): number {
  return memo.size;
}
