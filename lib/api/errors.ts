import { asDomainError } from "../errors";

// The machine API's mapping of the one domain error (lib/errors.ts) to its JSON shape
// {"error":{"code","message","details?"}} (docs/api.md). The gateway will map the same error to
// each provider's own shape.
export type TErrorBody = { error: { code: string; message: string; details?: unknown } };

export function toErrorResponse(err: unknown): { status: number; body: TErrorBody; headers?: Record<string, string> } {
  const domain = asDomainError(err);
  if (domain) {
    const body: TErrorBody = { error: { code: domain.code, message: domain.message } };
    if (domain.details !== undefined) body.error.details = domain.details;
    return { status: domain.status, body, headers: domain.headers };
  }
  // Never leak internals (SQL, secrets) to a client; the log has the cause.
  console.error("[api] unhandled error:", err);
  return { status: 500, body: { error: { code: "internal_error", message: "Internal server error" } } };
}

// The same mapping for Next route handlers (Web Response), e.g. POST /api/cron/tick.
export function toErrorWebResponse(err: unknown): Response {
  const { status, body, headers } = toErrorResponse(err);
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}
