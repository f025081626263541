import { createHash } from "node:crypto";
import Decimal from "decimal.js";
import type { TAuthenticatedKey } from "../keys/authenticate";
import { isoFromNanos, text } from "./attributes";
import { attributionFields, attributionOf } from "./attribution";
import { withCumulativeLedger, type TCumulativePoint } from "./cumulative";
import type { TExportResult } from "./logs";
import type { TAttributes, TMetric, TMetricPoint, TResourceMetrics } from "./model";
import { countingSignals, sessionKey, type TSessionRef } from "./sessions";
import { recordReceipts } from "../ingest/receipts";
import { exportMessage, storeTelemetryEvents } from "./store";
import { claudeCodeSubagent } from "./sources/claude-code";
import { eventId, type TWireEvent } from "./sources/types";

// Metric counters → usage events, for sessions whose log events do not count them
// (lib/otlp/sessions.ts). Points of one collection that describe the same calls — Claude Code's
// cost.usage and its token.usage by `type`, Gemini CLI's token.usage by `type` — share every
// attribute but the type and their times, so they are grouped into ONE event: its cost and its
// tokens, each counted once. Delta points are taken as they are (a re-sent export makes the same
// event ids); cumulative ones through the ledger (./cumulative.ts).

type TTokenParts = Record<string, Decimal>;
type TUsageResult = { usage: Record<string, number> | null; problems: string[] };

type TMetricSpec = {
  source: string;
  provider: string;
  defaultAgent: string;
  // What the point's value is: USD, millionths of a USD, or tokens of the kind its `typeKey` names.
  part: "cost_usd" | "cost_microusd" | "tokens";
  typeKey?: string;
};

type TSourceSpec = { usage: (parts: TTokenParts) => TUsageResult };

const whole = (d: Decimal | undefined) => (d ? d.toNumber() : 0);

function integral(parts: TTokenParts): string[] {
  return Object.entries(parts)
    .filter(([, v]) => !v.isInteger() || v.isNeg() || v.gt(2_147_483_647))
    .map(([k, v]) => `token.usage type ${k} is ${v.toFixed()}, not a whole number of tokens`);
}

// Per source: how its token types make one usage (canonical: docs/api.md "Usage").
const SOURCES: Record<string, TSourceSpec> = {
  // Anthropic semantics: input excludes cache reads and writes.
  claude_code: {
    usage: (p) => ({
      usage: { input_tokens: whole(p.input), output_tokens: whole(p.output), cache_read_tokens: whole(p.cacheRead), cache_write_tokens: whole(p.cacheCreation) },
      problems: integral(p),
    }),
  },
  // Gemini usageMetadata: input includes cache; thoughts and tool-use prompts are separate.
  gemini_cli: {
    usage: (p) => {
      const problems = integral(p);
      const input = whole(p.input);
      const cache = whole(p.cache);
      if (cache > input) problems.push(`cache tokens (${cache}) exceed input tokens (${input}), which include them`);
      return {
        usage: { input_tokens: input - cache + whole(p.tool), cache_read_tokens: cache, output_tokens: whole(p.output) + whole(p.thought), reasoning_tokens: whole(p.thought) },
        problems,
      };
    },
  },
  codex: { usage: () => ({ usage: null, problems: [] }) },
};

// The counters that are spend. Gemini CLI's gen_ai.client.token.usage histogram describes the same
// calls as its own token counter, Codex's codex.turn.token_usage histogram carries no conversation
// to tell it from the log events, and GenAI apps are counted from their spans: none is read.
export const SPEND_METRICS: Record<string, TMetricSpec> = {
  "claude_code.cost.usage": { source: "claude_code", provider: "anthropic", defaultAgent: "claude-code", part: "cost_usd" },
  "claude_code.token.usage": { source: "claude_code", provider: "anthropic", defaultAgent: "claude-code", part: "tokens", typeKey: "type" },
  "gemini_cli.token.usage": { source: "gemini_cli", provider: "google", defaultAgent: "gemini-cli", part: "tokens", typeKey: "type" },
  "codex.turn.cost_microusd": { source: "codex", provider: "openai", defaultAgent: "codex", part: "cost_microusd" },
};

function hashOf(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0001")).digest("base64url").slice(0, 32);
}

function canonicalAttrs(attrs: TAttributes, omit?: string): string {
  return Object.keys(attrs)
    .filter((k) => k !== omit)
    .sort()
    .map((k) => `${k}=${JSON.stringify(attrs[k])}`)
    .join("\u0002");
}

type TGroup = {
  key: string;
  // Start times of its points: with the key, the event's id (a re-send makes the same one).
  starts: Set<string>;
  points: number;
  spec: TMetricSpec;
  attrs: TAttributes;
  timeUnixNano: string;
  session: TSessionRef | null;
  cost: Decimal | null;
  tokens: TTokenParts;
  // Cumulative series feeding this group (their ledger rows point at its event).
  series: string[];
};

type TPointRef = { spec: TMetricSpec; metric: TMetric; point: TMetricPoint; attrs: TAttributes; resourceKey: string; pointKey: string };

const MAX_VALUE_DIGITS = 15;

export async function ingestMetrics(key: TAuthenticatedKey, resources: TResourceMetrics[]): Promise<TExportResult> {
  const refs: TPointRef[] = [];
  let tooLarge = 0;
  const seen = new Set<string>();
  for (const rm of resources) {
    const resourceKey = canonicalAttrs(rm.resource.attributes);
    for (const scope of rm.scopes) {
      for (const metric of scope.metrics) {
        const spec = SPEND_METRICS[metric.name];
        if (!spec) continue;
        seen.add(spec.source);
        if (metric.temporality === "unspecified" || metric.kind !== "sum") continue;
        for (const point of metric.points) {
          if (point.value === null) continue;
          // Far beyond any real spend or token count, and beyond what the ledger's numeric holds.
          if (point.value.replace(/^-/, "").split(".")[0].length > MAX_VALUE_DIGITS) {
            tooLarge++;
            continue;
          }
          const attrs = point.attributes;
          refs.push({ spec, metric, point, attrs, resourceKey, pointKey: canonicalAttrs(point.attributes, spec.typeKey) });
        }
      }
    }
  }

  const notes: string[] = [];
  // Per group (or point) not stored: why, and how many data points that was.
  const rejected = new Map<string, { reason: string; points: number }>();
  if (tooLarge) rejected.set("#too-large", { reason: `a value of more than ${MAX_VALUE_DIGITS} digits is no spend`, points: tooLarge });
  const sessionOf = (r: TPointRef): TSessionRef | null => {
    const id = text(r.attrs, "session.id", "conversation.id");
    return id ? { source: r.spec.source, sessionId: id } : null;
  };
  const decided = await countingSignals(key.orgId, refs.flatMap((r) => sessionOf(r) ?? []), "METRICS");
  const counted = refs.filter((r) => {
    const s = sessionOf(r);
    return !s || decided.get(sessionKey(s)) === "METRICS";
  });
  if (counted.length < refs.length) notes.push(`${refs.length - counted.length} data points of sessions counted from their log events were not counted again`);

  // The points of one collection share their end time; start times differ per series (the OTel JS
  // SDK starts a series at its first add, so a call's cost and its tokens can start a millisecond
  // apart, and a token type first seen later starts later): grouped by end time, never by start.
  const groupKeyOf = (r: TPointRef) => hashOf(r.spec.source, r.resourceKey, r.pointKey, r.point.timeUnixNano);
  const seriesKeyOf = (r: TPointRef) => hashOf(r.metric.name, r.resourceKey, canonicalAttrs(r.point.attributes), r.point.startTimeUnixNano);
  const cumulative: TCumulativePoint[] = counted
    .filter((r) => r.metric.temporality === "cumulative")
    .map((r) => ({ seriesKey: seriesKeyOf(r), metric: r.metric.name, startTimeUnixNano: r.point.startTimeUnixNano, timeUnixNano: r.point.timeUnixNano, value: r.point.value! }));

  const run = async (deltaOf: (r: TPointRef) => string | null, markPending?: (p: { seriesKey: string; eventId: string }[]) => Promise<void>) => {
    const groups = new Map<string, TGroup>();
    for (const r of counted) {
      const delta = deltaOf(r);
      if (delta === null) continue;
      const value = new Decimal(delta);
      if (value.isZero()) continue;
      const gk = groupKeyOf(r);
      let g = groups.get(gk);
      if (!g) {
        g = { key: gk, starts: new Set(), points: 0, spec: r.spec, attrs: r.attrs, timeUnixNano: r.point.timeUnixNano, session: sessionOf(r), cost: null, tokens: {}, series: [] };
        groups.set(gk, g);
      }
      g.starts.add(r.point.startTimeUnixNano);
      g.points++;
      if (r.metric.temporality === "cumulative") g.series.push(seriesKeyOf(r));
      if (r.spec.part === "cost_usd") g.cost = (g.cost ?? new Decimal(0)).plus(value);
      else if (r.spec.part === "cost_microusd") g.cost = (g.cost ?? new Decimal(0)).plus(value.div(1_000_000));
      else {
        const type = text(r.point.attributes, r.spec.typeKey!) ?? "unknown";
        g.tokens[type] = (g.tokens[type] ?? new Decimal(0)).plus(value);
      }
    }
    const events: TWireEvent[] = [];
    const groupOfEvent = new Map<string, TGroup>();
    for (const g of groups.values()) {
      const made = groupEvent(g);
      if ("reason" in made) {
        rejected.set(g.key, { reason: made.reason, points: g.points });
        continue;
      }
      const { event } = made;
      events.push(event);
      groupOfEvent.set(event.id, g);
    }
    if (markPending) {
      await markPending(events.flatMap((e) => groupOfEvent.get(e.id)!.series.map((seriesKey) => ({ seriesKey, eventId: e.id }))));
    }
    const outcome = await storeTelemetryEvents(key, events, (e) => groupOfEvent.get(e.id)?.spec.defaultAgent ?? null);
    for (const [id, reason] of outcome.rejected) rejected.set(id, { reason, points: groupOfEvent.get(id)?.points ?? 1 });
    return outcome;
  };

  let unpriced = new Set<string>();
  if (cumulative.length === 0) {
    unpriced = (await run((r) => (r.metric.temporality === "delta" ? r.point.value : null))).unpriced;
  } else {
    await withCumulativeLedger(key.orgId, cumulative, async (ledger) => {
      const outcome = await run(
        (r) => (r.metric.temporality === "delta" ? r.point.value : (ledger.deltas.get(seriesKeyOf(r))?.delta ?? null)),
        (pending) => ledger.markPending(pending),
      );
      await ledger.settle(outcome.taken);
      unpriced = outcome.unpriced;
    });
  }
  await recordReceipts(key, seen, "METRICS");
  let points = 0;
  const reasons = new Map<string, string>();
  for (const [k, r] of rejected) {
    points += r.points;
    reasons.set(k, r.reason);
  }
  return { rejected: points, message: exportMessage({ count: points, rejected: reasons, unpriced, notes }) };
}

// One usage event for a group of points (a source's cost and tokens for one window).
function groupEvent(g: TGroup): { event: TWireEvent } | { reason: string } {
  const model = text(g.attrs, "model");
  if (!model) return { reason: `${g.spec.source} metric points without a model attribute` };
  const hasTokens = Object.keys(g.tokens).length > 0;
  const { usage, problems } = hasTokens ? SOURCES[g.spec.source].usage(g.tokens) : { usage: null, problems: [] };
  if (problems.length) return { reason: problems.join("; ") };
  const timestamp = isoFromNanos(g.timeUnixNano);
  const attribution = attributionOf(g.attrs);
  const subagent = g.spec.source === "claude_code" ? claudeCodeSubagent(g.attrs) : null;
  const id = eventId(`m:${g.spec.source}`, g.key, ...[...g.starts].sort());
  const event: TWireEvent = {
    id,
    kind: "llm",
    provider: g.spec.provider,
    model,
    ...(usage ? { usage } : {}),
    // Stored to 12 decimals (the money columns), so sent that way.
    ...(g.cost ? { cost_usd: g.cost.toDecimalPlaces(12).toFixed() } : {}),
    // A window of calls, not one call: its own fingerprint, so retry-loop detection never takes
    // two windows for "the same call".
    fingerprint: id,
    // Per-call detectors (a $2 call, a growing context) would misread a minute's total as one call.
    ...attributionFields({ ...attribution, execution_id: null }),
    ...(subagent ? { subagent } : {}),
    ...(timestamp ? { timestamp } : {}),
    metadata: { otel_metric_window: true },
  };
  return { event };
}
