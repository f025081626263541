import type { ZodError } from "zod";

// The one error domain code throws (docs/api.md "Errors"). Each transport maps it once:
// the lean machine router to {"error":{"code","message","details?"}} (lib/api/errors.ts), server
// actions to a form error (lib/auth/action.ts), the admin CLI to a message and exit code 1.
export type TErrorDetail = { path: string; message: string; index?: number };

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  budget_exceeded: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_request: 422,
  rate_limited: 429,
  internal_error: 500,
  // An upstream the server calls (the LLM gateway's provider) refused the server's own credential.
  bad_gateway: 502,
  unavailable: 503,
} as const;

export type TErrorCode = keyof typeof ERROR_STATUS;

export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: TErrorCode,
    message: string,
    readonly details?: TErrorDetail[],
    // Transport hints that belong to the error (Retry-After on 429 / 503, Allow on 405).
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "DomainError";
    this.status = ERROR_STATUS[code];
  }
}

export const badRequest = (message: string, details?: TErrorDetail[]) => new DomainError("bad_request", message, details);
export const unauthorized = (message = "Sign in or send a valid API key") => new DomainError("unauthorized", message);
export const forbidden = (message: string) => new DomainError("forbidden", message);
export const notFound = (message = "Not found") => new DomainError("not_found", message);
export const conflict = (message: string) => new DomainError("conflict", message);
export const payloadTooLarge = (message: string) => new DomainError("payload_too_large", message);
export const unsupportedMediaType = (message: string) => new DomainError("unsupported_media_type", message);
export const invalid = (message: string, details?: TErrorDetail[]) => new DomainError("invalid_request", message, details);
export const rateLimited = (retryAfterSeconds: number, message = `Rate limit exceeded; retry after ${retryAfterSeconds}s`) =>
  new DomainError("rate_limited", message, undefined, { "Retry-After": String(retryAfterSeconds) });
export const unavailable = (message: string, retryAfterSeconds?: number) =>
  new DomainError("unavailable", message, undefined, retryAfterSeconds ? { "Retry-After": String(retryAfterSeconds) } : undefined);

// A failure domain code did not name itself but that still has a meaning for the client: a unique
// violation is a conflict, a row that vanished between read and write is not found. Anything else
// is a bug (null): transports log it and answer a generic internal error.
export function asDomainError(err: unknown): DomainError | null {
  if (err instanceof DomainError) return err;
  if (!err || typeof err !== "object" || !("code" in err)) return null;
  // Prisma's unique violation (P2002) and Postgres's own (23505, from raw SQL).
  if (err.code === "P2002" || err.code === "23505") return conflict("That already exists.");
  if (err.code === "P2025") return notFound("That no longer exists.");
  return null;
}

// True for a unique violation from Prisma or raw SQL: domain code that knows what the duplicate
// means turns it into a precise conflict ("The address /acme is taken").
export function isUniqueViolation(err: unknown): boolean {
  return !!err && typeof err === "object" && "code" in err && (err.code === "P2002" || err.code === "23505");
}

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
