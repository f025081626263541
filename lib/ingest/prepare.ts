import type { TAuthenticatedKey } from "../keys/authenticate";
import { exceedsMaxCallCost, MAX_CALL_COST_USD, normalizeUsage, priceCall, type TCanonicalUsage } from "../pricing";
import { zodDetails, type TErrorDetail } from "../errors";
import { MAX_EVENT_AGE_MS, MAX_EVENT_FUTURE_MS, MAX_METADATA_BYTES, ZEventSchema, type TEvent } from "./event-schema";
import { fastParseEvent } from "./event-fast-path";
import { storableProblems } from "./storable";
import { lookUpMissing, orgDirectory, type TOrgDirectory } from "./directory";

// One event ready for the database: validated, priced and attributed.
export type TEventRow = {
  orgId: string;
  eventId: string;
  occurredAt: Date;
  keyId: string;
  kind: "LLM" | "TOOL";
  provider: string | null;
  model: string | null;
  usage: TCanonicalUsage;
  costUsd: string;
  costSource: "REPORTED" | "CATALOG" | "OVERRIDE" | "UNPRICED" | "NONE";
  executionId: string | null;
  task: string | null;
  sessionId: string | null;
  agent: string | null;
  subagent: string | null;
  userId: string | null;
  teamId: string | null;
  unknownTeam: string | null;
  costCenterId: string | null;
  unknownCostCenter: string | null;
  feature: string | null;
  repository: string | null;
  branch: string | null;
  pullRequest: string | null;
  attempt: number;
  status: "OK" | "ERROR";
  errorType: string | null;
  tool: string | null;
  latencyMs: number | null;
  fingerprint: string | null;
  metadata: string | null;
  // Set when this call ends its execution (the event's execution_status).
  executionEnd: "DONE" | "FAILED" | null;
};

export type TRejection = { index: number; id: string | null; errors: { path: string; message: string }[] };

// Said about a valid event (accepted or a duplicate): priced by no catalogue entry or override,
// so it was stored at 0 USD (costSource UNPRICED).
export type TWarning = { index: number; code: "unpriced_model"; model: string | null };

const MAX_TOKENS_PER_CALL = 2_147_483_647;
const ZERO_USAGE: TCanonicalUsage = { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 };

// Validates each event on its own, so one bad event never costs the others (207).
export async function prepareEvents(
  key: TAuthenticatedKey,
  rawEvents: readonly unknown[],
  now = new Date(),
): Promise<{ rows: TEventRow[]; rejected: TRejection[]; warnings: TWarning[] }> {
  const directory = await orgDirectory(key.orgId);
  const rows: TEventRow[] = [];
  const rejected: TRejection[] = [];
  const parsed: { index: number; event: TEvent }[] = [];
  const missingTeams = new Set<string>();
  const missingCostCenters = new Set<string>();
  for (let index = 0; index < rawEvents.length; index++) {
    const raw = rawEvents[index];
    // First, so nothing downstream (zod, JSON.stringify, Postgres) meets text or nesting it cannot take.
    const problems = storableProblems(raw);
    const fast = problems.length ? null : fastParseEvent(raw);
    const result = fast ? ({ success: true, data: fast } as const) : ZEventSchema.safeParse(raw);
    if (problems.length || !result.success) {
      rejected.push({
        index,
        id: idOf(raw),
        errors: result.success ? problems : [...problems, ...zodDetails(result.error)],
      });
      continue;
    }
    const event = result.data;
    if (event.team && !directory.teamsBySlug.has(event.team)) missingTeams.add(event.team);
    if (event.cost_center && !directory.costCentersByCode.has(event.cost_center)) missingCostCenters.add(event.cost_center);
    parsed.push({ index, event });
  }
  if (missingTeams.size || missingCostCenters.size) await lookUpMissing(key.orgId, directory, missingTeams, missingCostCenters);
  const warnings: TWarning[] = [];
  for (const { index, event } of parsed) {
    const result = toRow(key, event, directory, now);
    if ("errors" in result) rejected.push({ index, id: event.id, errors: result.errors });
    else {
      rows.push(result);
      if (result.costSource === "UNPRICED") warnings.push({ index, code: "unpriced_model", model: result.model });
    }
  }
  rejected.sort((a, b) => a.index - b.index);
  return { rows, rejected, warnings };
}

function idOf(raw: unknown): string | null {
  if (raw && typeof raw === "object" && "id" in raw && typeof raw.id === "string") return raw.id.slice(0, 128);
  return null;
}

function toRow(key: TAuthenticatedKey, event: TEvent, directory: TOrgDirectory, now: Date): TEventRow | { errors: TErrorDetail[] } {
  const errors: TErrorDetail[] = [];
  const occurredAt = event.timestamp ? new Date(event.timestamp) : now;
  if (now.getTime() - occurredAt.getTime() > MAX_EVENT_AGE_MS) {
    errors.push({ path: "timestamp", message: "is more than 35 days in the past" });
  } else if (occurredAt.getTime() - now.getTime() > MAX_EVENT_FUTURE_MS) {
    errors.push({ path: "timestamp", message: "is more than 5 minutes in the future" });
  }

  let usage = ZERO_USAGE;
  if (event.usage) {
    const normalized = normalizeUsage(event.usage);
    if (normalized.ok) usage = normalized.usage;
    else for (const e of normalized.errors) errors.push({ path: e.path ? `usage.${e.path}` : "usage", message: e.message });
  }
  // Stored as int4; no single call comes near 2^31 tokens, so a larger count is a client bug.
  if (usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens > MAX_TOKENS_PER_CALL) {
    errors.push({ path: "usage", message: `input tokens (uncached + cache read + cache write) exceed ${MAX_TOKENS_PER_CALL}` });
  }
  if (usage.outputTokens > MAX_TOKENS_PER_CALL) errors.push({ path: "usage", message: `output tokens exceed ${MAX_TOKENS_PER_CALL}` });
  // Safe to serialise: storableProblems bounded its depth. One UTF-16 unit is at most 3 UTF-8 bytes.
  const metadata = event.metadata ? JSON.stringify(event.metadata) : null;
  if (metadata && metadata.length > MAX_METADATA_BYTES / 3 && Buffer.byteLength(metadata) > MAX_METADATA_BYTES) {
    errors.push({ path: "metadata", message: `at most ${MAX_METADATA_BYTES} bytes as JSON` });
  }
  if (errors.length) return { errors };

  const price: { costUsd: string; costSource: TEventRow["costSource"] } =
    event.kind === "tool" && event.cost_usd == null && !event.model
      ? { costUsd: "0", costSource: "NONE" }
      : priceCall({
          provider: event.provider ?? null,
          model: event.model ?? null,
          usage,
          at: occurredAt,
          reportedCostUsd: event.cost_usd == null ? null : String(event.cost_usd),
          overrides: directory.priceOverrides,
        });

  // A reported cost is bounded by the schema; a priced one by this, so no total can ever overflow.
  if (price.costSource !== "REPORTED" && exceedsMaxCallCost(price.costUsd)) {
    const rates = price.costSource === "OVERRIDE" ? "the org's price override" : "catalogue prices";
    return {
      errors: [{ path: "usage", message: `prices this call at ${price.costUsd} USD (${rates} for ${event.model}), above the per-call limit of ${MAX_CALL_COST_USD} USD: check the token counts` }],
    };
  }

  // Attribution: the event's team if it exists, else the key's team (and the unknown slug is kept).
  const namedTeam = event.team ? directory.teamsBySlug.get(event.team) : undefined;
  const teamId = namedTeam?.id ?? key.teamId;
  const keyTeamCostCenter = key.teamId ? directory.teamCostCenter.get(key.teamId) : null;
  const namedCostCenter = event.cost_center ? directory.costCentersByCode.get(event.cost_center) : undefined;
  // A named cost center wins; else the cost center follows the team the event landed on.
  const costCenterId = namedCostCenter ?? (namedTeam ? namedTeam.costCenterId : (key.costCenterId ?? keyTeamCostCenter ?? null));

  return {
    orgId: key.orgId,
    eventId: event.id,
    occurredAt,
    keyId: key.id,
    kind: event.kind === "tool" ? "TOOL" : "LLM",
    provider: event.provider ?? null,
    model: event.model ?? null,
    usage,
    costUsd: price.costUsd,
    costSource: price.costSource,
    executionId: event.execution_id ?? null,
    task: event.task ?? null,
    sessionId: event.session_id ?? null,
    agent: event.agent ?? key.defaultAgent ?? null,
    subagent: event.subagent ?? null,
    userId: event.user ?? null,
    teamId: teamId ?? null,
    unknownTeam: event.team && !namedTeam ? event.team : null,
    costCenterId,
    unknownCostCenter: event.cost_center && !namedCostCenter ? event.cost_center : null,
    feature: event.feature ?? null,
    repository: event.repository ?? null,
    branch: event.branch ?? null,
    pullRequest: event.pull_request == null ? null : String(event.pull_request),
    attempt: event.attempt,
    status: event.status === "error" ? "ERROR" : "OK",
    errorType: event.error_type ?? null,
    tool: event.tool ?? null,
    latencyMs: event.latency_ms ?? null,
    fingerprint: event.fingerprint ?? null,
    executionEnd: event.execution_status === "done" ? "DONE" : event.execution_status === "failed" ? "FAILED" : null,
    metadata,
  };
}
