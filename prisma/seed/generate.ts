// Deterministic generator of demo agent traffic, in the wire format of POST /api/v1/events.
// Pure: no database. The same options (and `now`) always give the same events: a seeded PRNG
// (mulberry32) drives every choice, and times are laid out relative to `now`.
import { Money, normalizeUsage, priceCall } from "../../lib/pricing";
import { USERS_BY_TEAM, M, DEMO_AGENTS, type TModel, type TRhythm, type TAgentProfile } from "./cast";
import { mulberry32, int, pick, hex, weighted, type TRng } from "./random";

// ───────────────────────── time shape ─────────────────────────

const HOUR = 3600_000;
const DAY = 24 * HOUR;
export const DEMO_DAYS = 30;

// Activity (0..1) by local hour.
const OFFICE = [0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.15, 0.45, 0.8, 1, 0.95, 0.7, 0.85, 1, 0.95, 0.85, 0.6, 0.35, 0.2, 0.15, 0.12, 0.08, 0.04];
const SUPPORT = [0.1, 0.06, 0.05, 0.05, 0.06, 0.1, 0.25, 0.5, 0.8, 1, 1, 0.95, 0.85, 0.95, 1, 0.95, 0.9, 0.8, 0.65, 0.5, 0.4, 0.3, 0.2, 0.15];
const NIGHTLY = [0.6, 1, 1, 0.9, 0.6, 0.25, 0.1, 0.1, 0.15, 0.3, 0.35, 0.35, 0.3, 0.35, 0.35, 0.3, 0.3, 0.25, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3];
const HOURLY = [0.55, 0.6, 1, 0.8, 0.6, 0.55, 0.9, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55];
const WEEKEND: Record<TRhythm, number> = { office: 0.15, support: 0.45, nightly: 0.7, hourly: 0.8 };
const CURVES: Record<TRhythm, number[]> = { office: OFFICE, support: SUPPORT, nightly: NIGHTLY, hourly: HOURLY };

type TLocal = { hour: number; weekend: boolean; ymd: string };

function localClock(timezone: string): (t: number) => TLocal {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    weekday: "short",
    hour: "2-digit",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return (t) => {
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(t)) parts[p.type] = p.value;
    return {
      hour: Number(parts.hour) % 24,
      weekend: parts.weekday === "Sat" || parts.weekday === "Sun",
      ymd: `${parts.year}${parts.month}${parts.day}`,
    };
  };
}

// ───────────────────────── events ─────────────────────────

// A wire-format event (docs/api.md) plus the key it is sent with.
export type TWireEvent = Record<string, unknown> & { id: string; timestamp: string };
export type TKeyRef = { agent: string } | "demo";
export type TGeneratedEvent = { key: TKeyRef; at: number; event: TWireEvent };

export type TGenerateOptions = {
  now: Date;
  timezone: string;
  // Stop adding ordinary executions once this many events exist (the special ones come on top).
  targetEvents: number;
  seed?: number;
};

export type TGenerated = {
  events: TGeneratedEvent[];
  executions: number;
  retryLoopExecutionId: string;
  runawayExecutionId: string;
  // Catalogue cost of the runaway execution as generated (decimal string).
  runawayCostUsd: string;
  // The anomalies that are about a moment rather than one execution: when to look for them.
  premiumExecutionId: string;
  premiumAt: number;
  burstExecutionId: string;
  burstAt: number;
};

type TExecCtx = {
  rng: TRng;
  agent: TAgentProfile;
  key: TKeyRef;
  executionId: string;
  start: number;
  attribution: Record<string, unknown>;
  out: TGeneratedEvent[];
  seq: number;
};

const TRANSIENT_ERRORS = ["rate_limit", "overloaded", "timeout", "server_error"] as const;

export function generateDemoEvents(options: TGenerateOptions): TGenerated {
  // Two streams: one picks start times, the other everything else. Start times depend on `now` (the
  // local hour and weekday of each candidate); with a stream of their own, the executions, tokens and
  // costs are the same on every run, whatever the day and time.
  const seed = options.seed ?? 0x5eed_b0b;
  const rng = mulberry32(seed);
  const timeRng = mulberry32(seed ^ 0x7153_a11e);
  const now = options.now.getTime();
  // Nothing later than a minute ago, nothing earlier than DEMO_DAYS ago.
  const end = now - 60_000;
  const begin = now - DEMO_DAYS * DAY;
  const clock = localClock(options.timezone);
  const events: TGeneratedEvent[] = [];
  const prCounters: Record<string, number> = { "acme/api": 1_180, "acme/web": 760, "acme/ml-pipelines": 290 };
  let executions = 0;
  const usedIds = new Set<string>();

  // Rejection sampling of a start time: local hour curve × weekday/weekend × gentle upward trend.
  const sampleStart = (rhythm: TRhythm): number => {
    for (;;) {
      const t = begin + timeRng() * (end - begin - HOUR);
      const local = clock(t);
      const trend = 0.7 + 0.6 * ((t - begin) / (end - begin));
      const w = CURVES[rhythm][local.hour] * (local.weekend ? WEEKEND[rhythm] : 1) * trend;
      if (timeRng() * 1.3 < w) return t;
    }
  };

  const openExecution = (agent: TAgentProfile, start: number, suffix?: string): TExecCtx => {
    const local = clock(start);
    const day = Math.floor((start - begin) / DAY);
    const viaDemo = agent.viaDemoKey !== undefined && rng() < agent.viaDemoKey;
    const user = agent.rhythm === "office" || viaDemo ? pick(rng, USERS_BY_TEAM[agent.team]) : agent.rhythm === "support" ? "support-bot@acme.dev" : "scheduler@acme.dev";
    const repository = agent.repositories.length ? pick(rng, agent.repositories) : null;
    // Pull requests get newer as the month goes on.
    const pr = repository ? prCounters[repository] + day * 3 + Math.floor(rng() * 12) : null;
    let executionId = `${agent.name}-${local.ymd}-${suffix ?? hex(rng, 6)}`;
    while (usedIds.has(executionId)) executionId = `${agent.name}-${local.ymd}-${hex(rng, 6)}`;
    usedIds.add(executionId);
    const attribution: Record<string, unknown> = {
      execution_id: executionId,
      task: agent.task(rng, { repository, pr, day }),
      session_id: `sess-${user.split("@")[0]}-${local.ymd}-${agent.name}`,
      user,
    };
    if (repository) {
      attribution.repository = repository;
      attribution.pull_request = pr;
      attribution.branch = agent.name === "migration-bot" ? `migrations/pr-${pr}` : `${pick(rng, ["feat", "fix", "chore"])}/pr-${pr}`;
    }
    // Events sent with an agent's own key leave agent and team to the key's defaults; with the shared
    // demo key they must name both.
    if (viaDemo) {
      attribution.agent = agent.name;
      attribution.team = agent.team;
    }
    executions++;
    return { rng, agent, key: viaDemo ? "demo" : { agent: agent.name }, executionId, start, attribution, out: events, seq: 0 };
  };

  // ── ordinary executions, until the target is reached ──
  const agentWeights = DEMO_AGENTS.map((a) => [a, a.weight] as const);
  while (events.length < options.targetEvents) {
    const agent = weighted(rng, agentWeights);
    if (agent.name === "support-triage" && rng() < 0.12) {
      standaloneClassification(rng, agent, sampleStart(agent.rhythm), events);
      continue;
    }
    runExecution(openExecution(agent, sampleStart(agent.rhythm)), end);
  }

  // ── one retry loop: test-fixer, four days ago, late morning ──
  const testFixer = DEMO_AGENTS.find((a) => a.name === "test-fixer")!;
  const loopStart = atLocalHour(now - 4 * DAY, 11, clock) + 7 * 60_000;
  const loop = openExecution(testFixer, loopStart, "loop8");
  const retryLoopExecutionId = loop.executionId;
  retryLoop(loop);

  // ── one ~$40 runaway: migration-bot on opus with an ever-growing context, yesterday afternoon ──
  const migrationBot = DEMO_AGENTS.find((a) => a.name === "migration-bot")!;
  const runawayStart = atLocalHour(now - DAY, 14, clock) + 12 * 60_000;
  const runaway = openExecution(migrationBot, runawayStart, "runaway");
  runaway.attribution.task = "migrate orders → v2 schema (all tenants)";
  const runawayCostUsd = runawayExecution(runaway, "40");

  // ── a premium model where a cheap one always does: support-triage escalates a ticket to Opus ──
  const triage = DEMO_AGENTS.find((a) => a.name === "support-triage")!;
  const premium = openExecution(triage, atLocalHour(now - 2 * DAY, 15, clock) + 20 * 60_000, "opus");
  const premiumAt = premiumEscalation(premium);

  // ── a burst: eval-runner fans one suite out over 60 parallel gpt-4o calls in 40 seconds ──
  const evalRunner = DEMO_AGENTS.find((a) => a.name === "eval-runner")!;
  const burst = openExecution(evalRunner, atLocalHour(now - 3 * DAY, 2, clock) + 5 * 60_000, "fanout");
  const burstAt = fanOut(burst);

  return {
    events,
    executions,
    retryLoopExecutionId,
    runawayExecutionId: runaway.executionId,
    runawayCostUsd,
    premiumExecutionId: premium.executionId,
    premiumAt,
    burstExecutionId: burst.executionId,
    burstAt,
  };
}

// Four Opus calls answering one support ticket; returns the last call's time.
function premiumEscalation(x: TExecCtx): number {
  const model = M.opus41;
  let t = x.start;
  let context = 4_200;
  for (let i = 0; i < 4; i++) {
    emit(x, t, { provider: model.provider, model: model.model, usage: usageFor(model, { context, cached: 0, written: 0, output: 650 + i * 40, reasoning: 0 }), latency_ms: 9_000 });
    t += 12_000;
    context += 700;
  }
  return t - 12_000;
}

// 60 calls of one eval suite at once (each its own prompt); returns the last call's time.
function fanOut(x: TExecCtx): number {
  const model = M.gpt4o;
  let t = x.start;
  for (let i = 0; i < 60; i++) {
    const context = 24_000 + Math.floor(x.rng() * 8_000);
    // Each call is a different eval item, and says so: similar sizes must not read as a retry loop.
    emit(x, t, { provider: model.provider, model: model.model, usage: usageFor(model, { context, cached: 0, written: 0, output: 900 + Math.floor(x.rng() * 600), reasoning: 0 }), latency_ms: 14_000, fingerprint: `eval-item-${i}` });
    t += 650;
  }
  return t - 650;
}

// Moves t to `hour`:00 local time on the same local day (within DST drift of an hour at most).
function atLocalHour(t: number, hour: number, clock: (t: number) => TLocal): number {
  const local = clock(t);
  const floored = t - (t % HOUR);
  return floored + (hour - local.hour) * HOUR;
}

function emit(x: TExecCtx, at: number, fields: Record<string, unknown>): void {
  x.seq++;
  x.out.push({
    key: x.key,
    at,
    event: { id: `${x.executionId}.${x.seq}`, timestamp: new Date(Math.round(at)).toISOString(), ...x.attribution, ...fields } as TWireEvent,
  });
}

// Usage in the provider's own wire shape. `context` is the whole prompt; `cached` the part served
// from the prompt cache, `written` the part written to it (Anthropic only).
function usageFor(model: TModel, u: { context: number; cached: number; written: number; output: number; reasoning: number }): Record<string, unknown> {
  switch (model.shape) {
    case "openai-chat":
      return {
        prompt_tokens: u.context,
        completion_tokens: u.output,
        total_tokens: u.context + u.output,
        prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      };
    case "openai-responses":
      return {
        input_tokens: u.context,
        input_tokens_details: { cached_tokens: u.cached },
        output_tokens: u.output,
        output_tokens_details: { reasoning_tokens: u.reasoning },
        total_tokens: u.context + u.output,
      };
    case "anthropic":
      return {
        input_tokens: u.context - u.cached - u.written,
        cache_read_input_tokens: u.cached,
        cache_creation_input_tokens: u.written,
        output_tokens: u.output,
      };
    case "canonical":
      return { input_tokens: u.context - u.cached, cache_read_tokens: u.cached, output_tokens: u.output, reasoning_tokens: u.reasoning };
  }
}

// One call's prompt-cache split, given the context the previous call left in the cache.
function cacheSplit(model: TModel, context: number, prefix: number, cold: boolean): { cached: number; written: number } {
  if (model.shape === "anthropic") {
    // The stable prefix is read; what was added since is written; the last ~few hundred tokens are not cached.
    const tail = Math.min(context, 150 + (context % 400));
    if (cold || prefix === 0) return { cached: 0, written: context - tail };
    const cached = Math.min(prefix, context - tail);
    return { cached, written: context - tail - cached };
  }
  // OpenAI / Gemini: automatic caching in 128-token steps of a prefix of at least 1024 tokens.
  if (cold || prefix < 1024) return { cached: 0, written: 0 };
  return { cached: Math.min(prefix, context) - (Math.min(prefix, context) % 128), written: 0 };
}

function runExecution(x: TExecCtx, end: number): void {
  const { rng, agent } = x;
  const model = weighted(rng, agent.models);
  const llmCalls = int(rng, agent.calls);
  const subagentCalls = agent.subagent && rng() < agent.subagent.rate ? 2 + Math.floor(rng() * 3) : 0;
  const plan: { at: number; fields: Record<string, unknown> }[] = [];
  let t = x.start;
  let context = int(rng, agent.context);
  let prefix = 0;
  let total = 0;
  const maxEvents = 40;

  const llm = (m: TModel, ctx: number, cached: number, written: number, extra: Record<string, unknown> = {}) => {
    const output = int(rng, agent.output);
    const reasoning = m.reasoning ? Math.floor(output * (0.3 + rng() * 0.5)) : 0;
    const latency = 350 + Math.floor(output * (8 + rng() * 14) + ctx / 40);
    plan.push({ at: t, fields: { provider: m.provider, model: m.model, usage: usageFor(m, { context: ctx, cached, written, output, reasoning }), latency_ms: latency, ...extra } });
    t += latency + 1_000 + rng() * 12_000;
    total++;
    return output;
  };

  for (let i = 0; i < llmCalls && total < maxEvents - 1; i++) {
    // Transient provider errors, retried by the SDK: nothing billed, then the same request again.
    if (rng() < 0.025) {
      const errorType = pick(rng, TRANSIENT_ERRORS);
      const failures = rng() < 0.15 ? 2 : 1;
      for (let a = 1; a <= failures && total < maxEvents - 2; a++) {
        plan.push({ at: t, fields: { provider: model.provider, model: model.model, status: "error", error_type: errorType, attempt: a, latency_ms: 200 + Math.floor(rng() * 2_500) } });
        t += 1_000 * 2 ** a + rng() * 1_500;
        total++;
      }
      const cold = t - x.start > 5 * 60_000 && rng() < 0.1;
      const { cached, written } = cacheSplit(model, context, prefix, cold);
      context += llm(model, context, cached, written, { attempt: failures + 1 }) >> 1;
    } else {
      const cold = rng() < 0.06;
      const { cached, written } = cacheSplit(model, context, prefix, cold);
      // Growing context: the answer and the next tool result join the history.
      context += llm(model, context, cached, written) >> 1;
    }
    prefix = context;
    context += int(rng, agent.growth);

    if (subagentCalls && i === Math.floor(llmCalls / 2) && agent.subagent) {
      const sub = agent.subagent;
      for (let s = 0; s < subagentCalls && total < maxEvents - 1; s++) {
        const subCtx = 3_000 + Math.floor(rng() * 6_000);
        llm(sub.model, subCtx, 0, sub.model.shape === "anthropic" ? subCtx - 200 : 0, { subagent: sub.name });
      }
    }
    if (rng() < agent.toolRate && total < maxEvents - 1) {
      const tool = pick(rng, agent.tools);
      const failed = rng() < 0.04;
      const latency = tool === "run_tests" || tool === "dbt_run" ? 8_000 + Math.floor(rng() * 90_000) : 40 + Math.floor(rng() * 1_500);
      const fields: Record<string, unknown> = { kind: "tool", tool, latency_ms: latency };
      if (failed) Object.assign(fields, { status: "error", error_type: tool === "run_tests" ? "tests_failed" : "tool_error" });
      // Paid tools report their own cost.
      if (tool === "web_search") fields.cost_usd = "0.005";
      plan.push({ at: t, fields });
      t += latency + 200;
      total++;
    }
  }

  // Keep the whole run in the past: slide it back if it would end after `end`.
  const shift = Math.max(0, t - end);
  for (const p of plan) emit(x, p.at - shift, p.fields);
}

// Single-shot email classification: LLM calls outside any execution.
function standaloneClassification(rng: TRng, agent: TAgentProfile, at: number, out: TGeneratedEvent[]): void {
  const model = weighted(rng, agent.models);
  const context = 900 + Math.floor(rng() * 1_500);
  const output = 20 + Math.floor(rng() * 60);
  const id = `classify-${Math.floor(at / 1000).toString(36)}-${out.length.toString(36)}`;
  out.push({
    key: { agent: agent.name },
    at,
    event: {
      id,
      timestamp: new Date(Math.round(at)).toISOString(),
      provider: model.provider,
      model: model.model,
      usage: usageFor(model, { context, cached: 0, written: 0, output, reasoning: 0 }),
      feature: "email-classifier",
      user: "support-bot@acme.dev",
      latency_ms: 250 + Math.floor(rng() * 600),
    },
  });
}

// A few good calls, then the same failing call eight times: same model, same input, same error.
function retryLoop(x: TExecCtx): void {
  const { rng } = x;
  const model = M.sonnet4;
  let t = x.start;
  let context = 11_000;
  let prefix = 0;
  for (let i = 0; i < 5; i++) {
    const { cached, written } = cacheSplit(model, context, prefix, false);
    const output = 300 + Math.floor(rng() * 700);
    emit(x, t, { provider: model.provider, model: model.model, usage: usageFor(model, { context, cached, written, output, reasoning: 0 }), latency_ms: 2_000 + output * 12 });
    t += 9_000 + rng() * 8_000;
    prefix = context;
    context += 1_800 + Math.floor(rng() * 1_500);
    if (i === 2) {
      emit(x, t, { kind: "tool", tool: "run_tests", latency_ms: 31_000 });
      t += 31_500;
    }
  }
  const failing = usageFor(model, { context, cached: prefix, written: 0, output: 412, reasoning: 0 });
  for (let attempt = 1; attempt <= 8; attempt++) {
    emit(x, t, { provider: model.provider, model: model.model, usage: failing, status: "error", error_type: "tool_error", attempt, latency_ms: 6_900 });
    t += 7_000 + 1_000 * attempt;
  }
}

// Opus with a context that keeps growing until the execution has cost about `targetUsd`.
function runawayExecution(x: TExecCtx, targetUsd: string): string {
  const { rng } = x;
  const model = M.opus41;
  const target = new Money(targetUsd);
  let spent = new Money(0);
  let t = x.start;
  let context = 38_000;
  let prefix = 0;
  for (let i = 0; i < 120; i++) {
    const { cached, written } = cacheSplit(model, context, prefix, i % 17 === 16);
    const output = 1_400 + Math.floor(rng() * 1_800);
    const usage = usageFor(model, { context, cached, written, output, reasoning: 0 });
    const normalized = normalizeUsage(usage);
    if (!normalized.ok) throw new Error("runaway usage does not normalise");
    const cost = priceCall({ provider: model.provider, model: model.model, usage: normalized.usage, at: new Date(t) });
    if (cost.costSource !== "CATALOG") throw new Error(`${model.model} is not in the pricing catalogue`);
    // Stop before overshooting: the last call lands the total as close to the target as it can.
    if (spent.plus(cost.costUsd).minus(target).abs().gt(target.minus(spent).abs())) break;
    spent = spent.plus(cost.costUsd);
    emit(x, t, { provider: model.provider, model: model.model, usage, latency_ms: 4_000 + output * 20 });
    t += 4_000 + output * 20 + 3_000 + rng() * 20_000;
    prefix = context;
    context += 4_500 + Math.floor(rng() * 3_000);
    if (i % 3 === 2) {
      emit(x, t, { kind: "tool", tool: pick(rng, ["read_file", "run_migration", "psql_explain"]), latency_ms: 300 + Math.floor(rng() * 4_000) });
      t += 4_500;
    }
  }
  return spent.toFixed();
}
