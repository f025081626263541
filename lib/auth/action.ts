import type { z } from "zod";
import { asDomainError, zodDetails, type TErrorCode, type TErrorDetail } from "../errors";
import { can, type TPermission } from "./permissions";
import { orgAccess, type TOrgAccess } from "./membership";

// Every server action is built here: membership → role → zod → handler → one result shape.
// Actions register themselves, so a test can walk all of them for every role. A DomainError thrown
// by lib/ becomes a form error with the same code, message and field details.
export type TActionError = { code: TErrorCode; message: string; details?: TErrorDetail[] };
export type TActionResult<T> = { ok: true; data: T } | { ok: false; error: TActionError };

// The one mapping of a thrown error to a form error, shared by org actions and user actions.
export function toActionError(err: unknown, actionName: string): TActionError {
  const domain = asDomainError(err);
  if (domain) return { code: domain.code, message: domain.message, ...(domain.details?.length ? { details: domain.details } : {}) };
  console.error(`[action ${actionName}] failed:`, err);
  return { code: "internal_error", message: "Something went wrong on our side; please try again." };
}

export type TOrgActionDef<S extends z.ZodType, T> = {
  name: string;
  permission: TPermission;
  input: S;
  // Runs the action as a given user (the server action passes the signed-in user).
  runAs: (userId: string | null, orgSlug: string, raw: unknown) => Promise<TActionResult<T>>;
};

export const ACTION_REGISTRY = new Map<string, TOrgActionDef<z.ZodType, unknown>>();

export function defineOrgAction<S extends z.ZodType, T>(
  definition: { name: string; permission: TPermission; input: S },
  handler: (ctx: TOrgAccess, input: z.infer<S>) => Promise<T>,
): TOrgActionDef<S, T> {
  const runAs = async (userId: string | null, orgSlug: string, raw: unknown): Promise<TActionResult<T>> => {
    if (!userId) return { ok: false, error: { code: "unauthorized", message: "Sign in first." } };
    const access = typeof orgSlug === "string" ? await orgAccess(userId, orgSlug) : null;
    if (!access) return { ok: false, error: { code: "not_found", message: "No such organization." } };
    if (!can(access.role, definition.permission)) {
      return { ok: false, error: { code: "forbidden", message: `Your role (${access.role.toLowerCase()}) cannot do this.` } };
    }
    const parsed = definition.input.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, error: { code: "invalid_request", message: "Please check the highlighted fields.", details: zodDetails(parsed.error) } };
    }
    try {
      return { ok: true, data: await handler(access, parsed.data) };
    } catch (err) {
      return { ok: false, error: toActionError(err, definition.name) };
    }
  };
  const def = { ...definition, runAs };
  if (ACTION_REGISTRY.has(definition.name)) throw new Error(`Duplicate action name: ${definition.name}`);
  ACTION_REGISTRY.set(definition.name, def as TOrgActionDef<z.ZodType, unknown>);
  return def;
}
