// Synthetic but realistic agent traffic for the ingest bench: a handful of agents run executions of
// ~20 calls each for ~30 users in 3 teams, on 5 models, reporting OpenAI- or Anthropic-shaped usage
// exactly as the provider SDK returned it. Deterministic per stream (seeded PRNG), unique ids.

export const AGENTS = ["code-reviewer", "test-writer", "triage-bot", "docs-writer", "refactor-agent", "support-agent"] as const;
export const TEAM_SLUGS = ["platform", "payments", "growth"] as const;
export const USERS = Array.from({ length: 30 }, (_, i) => `user${String(i + 1).padStart(2, "0")}@acme.dev`);
export const REPOSITORIES = ["acme/api", "acme/web", "acme/mobile", "acme/infra", "acme/billing", "acme/ml-pipeline", "acme/docs", "acme/sdk"];
const TASKS = Array.from({ length: 60 }, (_, i) => `ENG-${4100 + i * 7}`);
const TOOLS = ["bash", "read_file", "edit_file", "grep", "run_tests", "web_search"];
const ERRORS = ["rate_limit", "overloaded", "timeout"];
const SDKS = ["openai-python/1.99.1", "anthropic-sdk-typescript/0.60.0", "langchain/0.3.27", "claude-agent-sdk/0.1.9"];

type TModel = { provider: "openai" | "anthropic"; model: string; reasoning: boolean };
export const MODELS: TModel[] = [
  { provider: "openai", model: "gpt-4o", reasoning: false },
  { provider: "openai", model: "gpt-4o-mini", reasoning: false },
  { provider: "anthropic", model: "claude-sonnet-4-20250514", reasoning: false },
  { provider: "anthropic", model: "claude-3-5-haiku-20241022", reasoning: false },
  { provider: "openai", model: "o3-mini", reasoning: true },
];
// Each agent has a main model and falls back to a cheap one for some calls.
const AGENT_MODELS: [main: number, cheap: number][] = [[2, 3], [0, 1], [1, 1], [3, 3], [4, 1], [2, 3]];

export type TWireEvent = Record<string, unknown> & { id: string };

// mulberry32: small, fast, good enough for traffic shapes.
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type TExecution = {
  id: string;
  agent: number;
  user: string;
  task: string;
  repository: string;
  branch: string;
  pullRequest: number | null;
  session: string;
  callsLeft: number;
  at: number; // ms epoch of the next call
  context: number; // prompt size, grows call after call
  retryNext: boolean;
};

// One client's stream of events. `parallel` executions run at once and their calls interleave (a
// wrapper that buffers calls of several running agents); parallel = 1 is one agent reporting each
// call as it happens. Every execution's users belong to the stream's team (the key's team).
export class EventStream {
  private readonly random: () => number;
  private readonly active: TExecution[] = [];
  private executionSeq = 0;
  private eventSeq = 0;
  readonly teamUsers: string[];
  executionsStarted = 0;

  constructor(
    private readonly prefix: string,
    teamIndex: number,
    private readonly parallel: number,
    seed: number,
  ) {
    this.random = rng(seed);
    this.teamUsers = USERS.filter((_, i) => i % TEAM_SLUGS.length === teamIndex);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private startExecution(): TExecution {
    const now = Date.now();
    this.executionsStarted++;
    const seq = this.executionSeq++;
    const calls = this.int(14, 26); // ~20 calls
    // Started within the last hour, and its last call (≤ 9 s apart) still in the past.
    const start = now - this.int(calls * 9_000 + 5_000, 3_500_000);
    return {
      id: `${this.prefix}-x${seq}`,
      agent: this.int(0, AGENTS.length - 1),
      user: this.pick(this.teamUsers),
      task: this.pick(TASKS),
      repository: this.pick(REPOSITORIES),
      branch: `feat/${this.pick(TASKS).toLowerCase()}`,
      pullRequest: this.random() < 0.4 ? this.int(1000, 9000) : null,
      session: `${this.prefix}-s${seq}`,
      callsLeft: calls,
      at: start,
      context: this.int(1500, 6000),
      retryNext: false,
    };
  }

  next(): TWireEvent {
    while (this.active.length < this.parallel) this.active.push(this.startExecution());
    const slot = this.parallel === 1 ? 0 : Math.floor(this.random() * this.active.length);
    const ex = this.active[slot];
    const event = this.call(ex);
    ex.callsLeft--;
    ex.at += this.int(800, 9_000);
    if (ex.callsLeft <= 0) this.active[slot] = this.startExecution();
    return event;
  }

  private call(ex: TExecution): TWireEvent {
    const id = `${this.prefix}-e${this.eventSeq++}`;
    const base: TWireEvent = {
      id,
      timestamp: new Date(ex.at).toISOString(),
      execution_id: ex.id,
      task: ex.task,
      session_id: ex.session,
      agent: AGENTS[ex.agent],
      user: ex.user,
      repository: ex.repository,
      branch: ex.branch,
    };
    if (ex.pullRequest !== null) base.pull_request = ex.pullRequest;

    // ~15 % tool calls (web_search reports a price of its own).
    if (!ex.retryNext && this.random() < 0.15) {
      const tool = this.pick(TOOLS);
      base.kind = "tool";
      base.tool = tool;
      base.latency_ms = this.int(20, 4_000);
      if (tool === "web_search") {
        base.provider = "openai";
        base.cost_usd = "0.01";
      }
      return base;
    }

    const [main, cheap] = AGENT_MODELS[ex.agent];
    const model = MODELS[this.random() < 0.75 ? main : cheap];
    base.provider = model.provider;
    base.model = model.model;
    base.latency_ms = this.int(300, 25_000);
    if (ex.retryNext) {
      base.attempt = 2;
      ex.retryNext = false;
    }
    ex.context += this.int(200, 2_500);
    const output = this.int(40, 1_800);

    // ~3 % of calls fail (and are retried on the next call); a failed call still bills its input.
    if (this.random() < 0.03) {
      base.status = "error";
      base.error_type = this.pick(ERRORS);
      ex.retryNext = true;
      base.usage = model.provider === "anthropic" ? { input_tokens: 0, output_tokens: 0 } : { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
      return base;
    }

    if (model.provider === "anthropic") {
      // Anthropic Messages: input_tokens excludes cache reads and writes.
      const written = this.random() < 0.2 ? this.int(500, 4_000) : 0;
      const fresh = this.int(50, 1_500);
      const read = Math.max(0, ex.context - fresh - written);
      base.usage = {
        input_tokens: fresh,
        cache_creation_input_tokens: written,
        cache_read_input_tokens: read,
        cache_creation: { ephemeral_5m_input_tokens: written, ephemeral_1h_input_tokens: 0 },
        output_tokens: output,
        service_tier: "standard",
      };
    } else if (this.random() < 0.2) {
      // OpenAI Responses API.
      const cached = Math.floor((ex.context * 0.6) / 128) * 128;
      base.usage = {
        input_tokens: ex.context,
        input_tokens_details: { cached_tokens: cached },
        output_tokens: output,
        output_tokens_details: { reasoning_tokens: model.reasoning ? Math.floor(output * 0.6) : 0 },
        total_tokens: ex.context + output,
      };
    } else {
      // OpenAI Chat Completions: prompt_tokens includes the cached tokens.
      const cached = ex.context > 1024 ? Math.floor((ex.context * 0.7) / 128) * 128 : 0;
      base.usage = {
        prompt_tokens: ex.context,
        completion_tokens: output,
        total_tokens: ex.context + output,
        prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: model.reasoning ? Math.floor(output * 0.6) : 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      };
    }
    // A few wrappers compute the cost themselves (reported cost wins over the catalogue).
    if (this.random() < 0.05) base.cost_usd = (this.int(1, 90_000) / 1e6).toFixed(6);
    if (this.random() < 0.1) base.metadata = { sdk: this.pick(SDKS), host: `runner-${this.int(1, 40)}` };
    return base;
  }
}
