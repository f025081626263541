import { z } from "zod";
import { badRequest, invalid, payloadTooLarge, type TErrorDetail } from "../api/errors";
import { readJson } from "../api/http";
import { withApiKey } from "../api/with-api-key";
import { formatUsd } from "../money";
import { MAX_BATCH_EVENTS } from "./event-schema";
import { prepareEvents } from "./prepare";
import { submitEvents } from "./group-commit";

// POST /api/v1/events — one event object, or {"events":[…]} (≤ 1000 events, ≤ 1 MiB).
export const postEvents = withApiKey({ scope: "ingest", query: z.object({}).passthrough() }, async ({ req, key }) => {
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
  return {
    status: rejected.length ? 207 : 200,
    body: {
      accepted: result.accepted,
      duplicates: result.duplicates,
      rejected,
      warnings,
      // Budget states arrive with the budgets issue; the field is already part of the contract.
      budgets: [],
      execution: result.execution
        ? { id: result.execution.id, cost_usd: formatUsd(result.execution.costUsd), state: result.execution.status === "BLOCKED" ? "blocked" : "ok" }
        : null,
    },
  };
});

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
