import type { ZodError } from "zod";

// The one error shape of the machine API (DESIGN §5): {"error":{"code","message","details?"}}.
export type TErrorDetail = { path: string; message: string; index?: number };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, "bad_request", message, details);
export const unauthorized = (message = "Missing or invalid API key") => new ApiError(401, "unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const notFound = (message = "Not found") => new ApiError(404, "not_found", message);
export const payloadTooLarge = (message: string) => new ApiError(413, "payload_too_large", message);
export const unsupportedMediaType = (message: string) => new ApiError(415, "unsupported_media_type", message);
export const invalid = (message: string, details: TErrorDetail[]) => new ApiError(422, "invalid_request", message, details);
export const rateLimited = (retryAfterSeconds: number) =>
  new ApiError(429, "rate_limited", `Rate limit exceeded; retry after ${retryAfterSeconds}s`, undefined, {
    "Retry-After": String(retryAfterSeconds),
  });

// One detail per offending field. zod reports unknown keys as one issue at the parent's path with
// the names in `keys`: expand them so the client sees `executionId`, not "".
export function zodDetails(error: ZodError, prefix: (string | number)[] = []): TErrorDetail[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: "unknown field" }));
    }
    return [{ path: formatPath(path), message: issue.message }];
  });
}

// `events[3].usage.prompt_tokens` — the way a client names the field in its own code.
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

export type TErrorBody = { error: { code: string; message: string; details?: unknown } };

export function toErrorResponse(err: unknown): { status: number; body: TErrorBody; headers?: Record<string, string> } {
  if (err instanceof ApiError) {
    const body: TErrorBody = { error: { code: err.code, message: err.message } };
    if (err.details !== undefined) body.error.details = err.details;
    return { status: err.status, body, headers: err.headers };
  }
  // Never leak internals (SQL, secrets) to a client; the log has the cause.
  console.error("[api] unhandled error:", err);
  return { status: 500, body: { error: { code: "internal_error", message: "Internal server error" } } };
}
