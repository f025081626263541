import { firstText } from "./attributes";
import type { TAttributes } from "./model";

// Which OpenTelemetry attribute fills which attribution field of a usage event: the record's own
// attributes over its resource's (OTEL_RESOURCE_ATTRIBUTES lands on the resource), the first key
// present wins. docs/opentelemetry.md prints this table; a test holds the two to each other.
// Source-specific fields (subagent, execution of a trace, the agent of a GenAI span) are decided by
// the source mappers (lib/otlp/sources/*), which fall back to this table.
export const ATTRIBUTION = [
  { field: "session_id", keys: ["session.id", "conversation.id", "gen_ai.conversation.id"] },
  { field: "execution_id", keys: ["burnrate.execution_id", "execution.id", "prompt.id", "prompt_id"] },
  { field: "task", keys: ["burnrate.task", "task"] },
  // Else the key's default agent, else the resource's service.name (docs/opentelemetry.md).
  { field: "agent", keys: ["burnrate.agent", "agent", "gen_ai.agent.name"] },
  { field: "user", keys: ["user.email", "enduser.id", "user.id"] },
  { field: "team", keys: ["team", "team.id", "team.name"] },
  { field: "cost_center", keys: ["cost_center", "cost_center.id", "cost.center"] },
  { field: "repository", keys: ["repository", "repo", "vcs.repository.name"] },
  { field: "branch", keys: ["branch", "vcs.ref.head.name"] },
  { field: "pull_request", keys: ["pull_request", "pr", "vcs.change.id"] },
  { field: "feature", keys: ["feature"] },
] as const;

export type TAttribution = { [K in (typeof ATTRIBUTION)[number]["field"]]: string | null };

export function attributionOf(attrs: TAttributes): TAttribution {
  const out = {} as TAttribution;
  for (const { field, keys } of ATTRIBUTION) out[field] = firstText(attrs, keys);
  return out;
}

// The wire event's attribution fields (docs/api.md), nulls left out.
export function attributionFields(a: TAttribution): Record<string, string> {
  const out: Record<string, string> = {};
  addAttribution(out, a);
  return out;
}

// The same, set on an event being built.
export function addAttribution(event: Record<string, unknown>, a: TAttribution): void {
  for (const k in a) {
    const v = a[k as keyof TAttribution];
    if (v !== null) event[k] = v;
  }
}
