import { z } from "zod";
import { badRequest, invalid, payloadTooLarge, type TErrorDetail } from "../errors";
import { readJson } from "../api/http";
import { ZErrorDetail, ZUsd } from "../api/openapi";
import { budgetStatus, worstState, ZBudgetStatus, type TBudgetStatus } from "../budgets/state";
import { withApiKey } from "../api/with-api-key";
import { itemBudgetName } from "../budgets/names";
import { formatUsd } from "../money";
import { MAX_BATCH_EVENTS, ZEventSchema } from "./event-schema";
import { prepareEvents } from "./prepare";
import { submitEvents } from "./group-commit";
import { recordReceipts } from "./receipts";

// One usage event as the OpenAPI document names it (a shared component).
const ZEventDoc = ZEventSchema.meta({ id: "Event" });

export const ZEventsResponse = z.strictObject({
  accepted: z.number().int().describe("Events stored by this request"),
  duplicates: z.number().int().describe("Events whose id was already stored (counted once, ever)"),
  rejected: z.array(z.strictObject({ index: z.number().int(), id: z.string().nullable(), errors: z.array(ZErrorDetail) })),
  warnings: z
    .array(z.strictObject({ index: z.number().int(), code: z.literal("unpriced_model"), model: z.string() }))
    .describe("Valid events (accepted or duplicates) no catalogue entry or override priced: stored at $0 with costSource UNPRICED"),
  budgets: z.array(ZBudgetStatus).describe("Every budget the request's events fall under, with its spend after this request"),
  execution: z
    .strictObject({
      id: z.string(),
      cost_usd: ZUsd,
      state: z.enum(["ok", "warning", "exceeded", "blocked"]),
      reason: z.string().nullable().describe("Why it is blocked (the circuit breaker's evidence, or the budget); null unless blocked"),
    })
    .nullable()
    .describe(
      "The execution of the last accepted event, with its total after this request. state: blocked when the execution is blocked (a BLOCK budget on it or its task at 100 %, or the circuit breaker), else the worst state of the budgets that apply to it",
    ),
});

// POST /api/v1/events — one event object, or {"events":[…]} (≤ 1000 events, ≤ 1 MiB).
export const postEvents = withApiKey(
  {
    scope: "ingest",
    query: z.object({}).passthrough(),
    doc: {
      summary: "Report LLM and tool calls",
      description: `One event, or {"events": [...]} with up to ${MAX_BATCH_EVENTS} events and 1 MiB. Each event is validated on its own: 200 when all were taken, 207 when some were rejected (see \`rejected\`), 422 when none was valid. An event id is stored once, ever: a re-sent batch changes nothing.`,
      body: z.union([ZEventDoc, z.strictObject({ events: z.array(ZEventDoc).min(1).max(MAX_BATCH_EVENTS) })]),
      responses: {
        200: { description: "Every event was taken (stored, or a duplicate of a stored one)", schema: ZEventsResponse },
        207: { description: "Some events were rejected; the others were taken", schema: ZEventsResponse },
      },
    },
  },
  async ({ req, key }) => {
    const body = await readJson(req);
    const events = eventsOf(body);
    const { rows, rejected, warnings } = await prepareEvents(key, events);

    if (rows.length === 0) {
      const details: TErrorDetail[] = rejected.flatMap((r) =>
        r.errors.map((e) => ({ index: r.index, path: e.path, message: e.message })),
      );
      throw invalid(events.length === 1 ? "The event is invalid" : "No event in the batch is valid", details);
    }

    // The execution the caller most likely cares about: the one its last valid event belongs to.
    const last = rows[rows.length - 1];
    const result = await submitEvents(rows, last.executionId ? { orgId: key.orgId, executionId: last.executionId } : null);
    await recordReceipts(key, ["events_api"], "EVENTS");
    const statuses = result.budgets.map(budgetStatus);
    return {
      status: rejected.length ? 207 : 200,
      body: {
        accepted: result.accepted,
        duplicates: result.duplicates,
        rejected,
        warnings,
        budgets: statuses,
        execution: result.execution ? { id: result.execution.id, cost_usd: formatUsd(result.execution.costUsd), ...executionState(result, statuses) } : null,
      },
    };
  },
);

// Blocked when the execution is (or a BLOCK budget that applies to it is used up: the follow-up that
// marks it BLOCKED runs just after this write), else the worst of the budgets that apply to it.
function executionState(
  result: Awaited<ReturnType<typeof submitEvents>>,
  statuses: TBudgetStatus[],
): { state: "ok" | "warning" | "exceeded" | "blocked"; reason: string | null } {
  const states = statuses.filter((_, i) => result.budgets[i].ofInterest);
  if (result.execution?.status === "BLOCKED") return { state: "blocked", reason: result.execution.blockedReason ?? "blocked until a person resumes it" };
  const overBudget = states.find((s) => s.state === "exceeded" && s.enforcement === "block" && (s.scope === "execution" || s.scope === "task"));
  if (overBudget) return { state: "blocked", reason: `Budget "${itemBudgetName(overBudget, overBudget.item ?? "")}" reached ${overBudget.spent_usd} of ${overBudget.limit_usd} USD` };
  return { state: worstState(states.map((s) => s.state)), reason: null };
}

function eventsOf(body: unknown): unknown[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest('Expected one event object or {"events": [...]}');
  }
  if (!("events" in body)) return [body];
  const { events } = body as { events: unknown };
  if (!Array.isArray(events)) throw invalid("Invalid batch", [{ path: "events", message: "must be an array" }]);
  if (events.length === 0) throw invalid("Invalid batch", [{ path: "events", message: "must contain at least one event" }]);
  if (events.length > MAX_BATCH_EVENTS) {
    throw payloadTooLarge(`At most ${MAX_BATCH_EVENTS} events per request (got ${events.length})`);
  }
  const extra = Object.keys(body).filter((k) => k !== "events");
  if (extra.length) throw invalid("Invalid batch", extra.map((k) => ({ path: k, message: "unknown field" })));
  return events;
}
