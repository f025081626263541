import { displayUsd } from "../money";

// An anomaly's evidence in words, one sentence a lead reads in an email subject, a webhook, the
// anomalies page and an execution's blocked reason: what happened, how often, how fast, how much.
// Pure (no database): the client components import it too.

export type TAnomalyKindName = "RETRY_LOOP" | "COST_SPIKE" | "CONTEXT_GROWTH" | "VELOCITY" | "MODEL_MISUSE";

export const ANOMALY_KIND_LABEL: Record<TAnomalyKindName, string> = {
  RETRY_LOOP: "Retry loop",
  COST_SPIKE: "Cost spike",
  CONTEXT_GROWTH: "Context growth",
  VELOCITY: "Spend velocity",
  MODEL_MISUSE: "Premium model",
};

type TEvidence = Record<string, unknown>;

const num = (v: unknown) => (typeof v === "number" ? v : Number(v));
const str = (v: unknown) => (v == null ? null : String(v));
const tokens = (v: unknown) => `${Math.round(num(v)).toLocaleString("en-US")} tokens`;

export function durationWords(fromIso: string, toIso: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 6) / 10} h`;
}

// Who it is about: "run <execution>" / "agent <name>" / "the org".
export function subjectWords(anomaly: { executionId: string | null; agent: string | null; subject: string }): string {
  if (anomaly.executionId) return `run ${anomaly.executionId}${anomaly.agent ? ` (${anomaly.agent})` : ""}`;
  if (anomaly.agent) return `agent ${anomaly.agent}`;
  return "the org";
}

export function describeEvidence(kind: TAnomalyKindName, evidence: TEvidence): string {
  switch (evidence.rule) {
    case "retry_loop": {
      const model = str(evidence.model);
      const tool = str(evidence.tool);
      const error = str(evidence.error_type);
      const what = model ? `calls to ${model}${tool ? ` (tool ${tool})` : ""}` : tool ? `calls of tool ${tool}` : "calls";
      const same = evidence.fingerprint ? "identical (same fingerprint)" : "identical";
      const failing = error ? ` failing with ${error}` : num(evidence.errors) > 0 ? ` failing` : "";
      return `${num(evidence.calls)} ${same} ${what}${failing} in ${durationWords(String(evidence.first_at), String(evidence.last_at))}, ${displayUsd(str(evidence.cost_usd))}`;
    }
    case "per_call":
      return `one call${evidence.model ? ` to ${evidence.model}` : ""} cost ${displayUsd(str(evidence.cost_usd))}, over the per-call limit of ${displayUsd(str(evidence.limit_usd))}`;
    case "agent_median":
      return `${displayUsd(str(evidence.cost_usd))} so far, ${num(evidence.factor)}× the agent's median run of ${displayUsd(str(evidence.median_usd))} (last ${num(evidence.history)} runs)`;
    case "context_growth":
      return `input grew ${num(evidence.growth)}× over ${num(evidence.calls)} calls, from ${tokens(evidence.first_input_tokens)} to ${tokens(evidence.max_input_tokens)} per call`;
    case "velocity": {
      const why = evidence.limit_usd_per_minute
        ? `over the limit of ${displayUsd(str(evidence.limit_usd_per_minute))}/min`
        : `${num(evidence.factor)}× the trailing 24 h average of ${displayUsd(str(evidence.baseline_usd_per_minute))}/min`;
      return `${displayUsd(str(evidence.usd_per_minute))} in the last minute, ${why}`;
    }
    case "model_misuse":
      return `${num(evidence.calls)} calls to ${evidence.model} (${displayUsd(str(evidence.cost_usd))}); it uses ${evidence.usual_model} for ${num(evidence.usual_share_percent)} % of its calls, at 1/${num(evidence.price_factor)} of the input price`;
    default:
      return ANOMALY_KIND_LABEL[kind];
  }
}

// "run migration-bot-7f: 8 identical calls to claude-sonnet-4-5 failing with rate_limit in 3 min, $4.12"
export function describeAnomaly(anomaly: { kind: TAnomalyKindName; executionId: string | null; agent: string | null; subject: string; evidence: unknown }): string {
  return `${subjectWords(anomaly)}: ${describeEvidence(anomaly.kind, (anomaly.evidence ?? {}) as TEvidence)}`;
}
