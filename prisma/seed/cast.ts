// The demo org's cast: cost centers, teams, people, repositories, models and agent profiles.
import { pick, type TRange, type TRng } from "./random";

// ───────────────────────── org structure ─────────────────────────

export const DEMO_COST_CENTERS = [
  { code: "ENG-100", name: "Engineering", ownerEmail: "maya@acme.dev" },
  { code: "DATA-200", name: "Data & ML", ownerEmail: "farid@acme.dev" },
] as const;

export const DEMO_TEAMS = [
  { slug: "platform", name: "Platform", costCenter: "ENG-100" },
  { slug: "growth", name: "Growth", costCenter: "ENG-100" },
  { slug: "ml", name: "Machine Learning", costCenter: "DATA-200" },
] as const;

export type TTeamSlug = (typeof DEMO_TEAMS)[number]["slug"];

export const DEMO_REPOSITORIES = ["acme/api", "acme/web", "acme/ml-pipelines"] as const;

export const USERS_BY_TEAM: Record<TTeamSlug, string[]> = {
  platform: ["alice@acme.dev", "bob@acme.dev", "maya@acme.dev"],
  growth: ["carol@acme.dev", "dan@acme.dev"],
  ml: ["erin@acme.dev", "farid@acme.dev"],
};
export const DEMO_USERS = Object.values(USERS_BY_TEAM).flat();

// ───────────────────────── models ─────────────────────────

// How a provider reports usage on the wire; every shape ingest accepts appears in the demo data.
export type TUsageShape = "openai-chat" | "openai-responses" | "anthropic" | "canonical";

export type TModel = { provider: "openai" | "anthropic" | "google"; model: string; shape: TUsageShape; reasoning?: boolean };

export const M = {
  gpt4o: { provider: "openai", model: "gpt-4o", shape: "openai-chat" },
  gpt4oMini: { provider: "openai", model: "gpt-4o-mini", shape: "openai-chat" },
  gpt41: { provider: "openai", model: "gpt-4.1", shape: "openai-responses" },
  o3mini: { provider: "openai", model: "o3-mini", shape: "openai-chat", reasoning: true },
  sonnet4: { provider: "anthropic", model: "claude-sonnet-4-20250514", shape: "anthropic" },
  haiku35: { provider: "anthropic", model: "claude-3-5-haiku-20241022", shape: "anthropic" },
  opus41: { provider: "anthropic", model: "claude-opus-4-1-20250805", shape: "anthropic" },
  gemini25pro: { provider: "google", model: "gemini-2.5-pro", shape: "canonical", reasoning: true },
} as const satisfies Record<string, TModel>;

export const DEMO_MODELS: readonly TModel[] = Object.values(M);

// ───────────────────────── agents ─────────────────────────

// When an agent runs: people at work, a support queue, or scheduled batch jobs.
export type TRhythm = "office" | "support" | "nightly" | "hourly";


export type TAgentProfile = {
  name: string;
  team: TTeamSlug;
  // Share of executions.
  weight: number;
  rhythm: TRhythm;
  models: readonly (readonly [TModel, number])[];
  // LLM calls per execution (tool calls come on top, the total stays ≤ 40).
  calls: TRange;
  // Context at the first call, and what each call adds (diffs, tool results, history).
  context: TRange;
  growth: TRange;
  output: TRange;
  toolRate: number;
  tools: readonly string[];
  repositories: readonly string[];
  // A cheaper model used by a sub-agent for a few calls of some executions.
  subagent?: { name: string; model: TModel; rate: number };
  task: (rng: TRng, ctx: { repository: string | null; pr: number | null; day: number }) => string;
  // Share of executions started from a developer laptop with the org's shared demo key.
  viaDemoKey?: number;
};

export const FLAKY_TESTS = ["checkout.spec.ts", "auth/session.test.ts", "billing/invoice.test.ts", "search.e2e.ts", "api/rate-limit.test.ts", "web/cart.spec.tsx", "jobs/retry.test.ts", "webhooks/stripe.test.ts"];
export const MIGRATIONS = ["orders → v2 schema", "users.email citext", "split events table by month", "drop legacy sessions", "payments idempotency keys", "add tenant_id to audit_log"];
export const PIPELINES = ["events_daily", "sessions_hourly", "churn_features", "embeddings_refresh", "ltv_model_inputs"];
export const EVAL_SUITES = ["summarization-v3", "support-intent", "code-review-quality", "sql-gen", "rag-faithfulness", "toxicity"];
export const SUPPORT_TOPICS = ["billing", "login", "export", "api-limits", "refund", "sso", "bug-report"];

export const DEMO_AGENTS: readonly TAgentProfile[] = [
  {
    name: "pr-reviewer",
    team: "platform",
    weight: 20,
    rhythm: "office",
    models: [[M.sonnet4, 78], [M.gpt41, 22]],
    calls: [5, 22],
    context: [9_000, 24_000],
    growth: [600, 3_500],
    output: [250, 1_600],
    toolRate: 0.3,
    tools: ["git_diff", "read_file", "search_code", "post_review_comment"],
    repositories: ["acme/api", "acme/web"],
    subagent: { name: "security-check", model: M.haiku35, rate: 0.25 },
    task: (_rng, { repository, pr }) => `review ${repository}#${pr}`,
  },
  {
    name: "test-fixer",
    team: "platform",
    weight: 14,
    rhythm: "office",
    models: [[M.sonnet4, 60], [M.gpt41, 25], [M.o3mini, 15]],
    calls: [6, 28],
    context: [7_000, 16_000],
    growth: [800, 3_000],
    output: [200, 1_400],
    toolRate: 0.45,
    tools: ["run_tests", "read_file", "edit_file", "grep"],
    repositories: ["acme/api", "acme/web"],
    task: (rng) => `fix flaky test ${pick(rng, FLAKY_TESTS)}`,
  },
  {
    name: "migration-bot",
    team: "growth",
    weight: 5,
    rhythm: "office",
    // An ordinary run is Sonnet or GPT-4.1 and stays under ~90k tokens a call; the demo's one runaway
    // (on Opus, context growing past 300k) is what stands out.
    models: [[M.sonnet4, 85], [M.gpt41, 15]],
    calls: [10, 24],
    context: [12_000, 30_000],
    growth: [800, 2_200],
    output: [600, 2_400],
    toolRate: 0.35,
    tools: ["read_file", "edit_file", "run_migration", "psql_explain"],
    repositories: ["acme/api", "acme/web"],
    task: (rng) => `migrate ${pick(rng, MIGRATIONS)}`,
  },
  {
    name: "support-triage",
    team: "growth",
    weight: 36,
    rhythm: "support",
    // Always the cheap model: what makes the demo's one escalation to Opus stand out (MODEL_MISUSE).
    models: [[M.gpt4oMini, 100]],
    calls: [3, 6],
    context: [1_800, 5_000],
    growth: [200, 900],
    output: [80, 450],
    toolRate: 0.3,
    tools: ["lookup_customer", "search_docs", "web_search"],
    repositories: [],
    task: (rng) => `triage SUP-${48_000 + Math.floor(rng() * 6_000)} (${pick(rng, SUPPORT_TOPICS)})`,
  },
  {
    name: "data-pipeline-agent",
    team: "ml",
    weight: 14,
    rhythm: "hourly",
    models: [[M.gpt41, 45], [M.gemini25pro, 35], [M.gpt4o, 20]],
    calls: [3, 14],
    context: [6_000, 22_000],
    growth: [500, 2_500],
    output: [300, 1_800],
    toolRate: 0.4,
    tools: ["sql_query", "dbt_run", "read_schema"],
    repositories: ["acme/ml-pipelines"],
    task: (rng, { day }) => `backfill ${pick(rng, PIPELINES)} day-${day}`,
  },
  {
    name: "eval-runner",
    team: "ml",
    weight: 11,
    rhythm: "nightly",
    models: [[M.gpt4oMini, 100]],
    calls: [10, 38],
    context: [2_500, 7_000],
    growth: [0, 250],
    output: [120, 700],
    toolRate: 0.08,
    tools: ["score_answer", "load_dataset"],
    repositories: ["acme/ml-pipelines"],
    task: (rng) => `eval ${pick(rng, EVAL_SUITES)}`,
    viaDemoKey: 0.15,
  },
];
