import type { z } from "zod";
import { zodDetails, type TErrorDetail } from "../api/errors";
import { can, type TPermission } from "./permissions";
import { orgAccess, type TOrgAccess } from "./membership";

// Every server action is built here: membership → role → zod → handler → one result shape.
// Actions register themselves, so a test can walk all of them for every role.
export type TActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: "unauthenticated" | "not_found" | "forbidden" | "invalid" | "conflict" | "failed"; message: string; details?: TErrorDetail[] } };

export class ActionError extends Error {
  constructor(
    readonly code: "forbidden" | "invalid" | "conflict" | "not_found",
    message: string,
  ) {
    super(message);
  }
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
    if (!userId) return { ok: false, error: { code: "unauthenticated", message: "Sign in first." } };
    const access = typeof orgSlug === "string" ? await orgAccess(userId, orgSlug) : null;
    if (!access) return { ok: false, error: { code: "not_found", message: "No such organization." } };
    if (!can(access.role, definition.permission)) {
      return { ok: false, error: { code: "forbidden", message: `Your role (${access.role.toLowerCase()}) cannot do this.` } };
    }
    const parsed = definition.input.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, error: { code: "invalid", message: "Please check the highlighted fields.", details: zodDetails(parsed.error) } };
    }
    try {
      return { ok: true, data: await handler(access, parsed.data) };
    } catch (err) {
      if (err instanceof ActionError) return { ok: false, error: { code: err.code, message: err.message } };
      if (err && typeof err === "object" && "code" in err && err.code === "P2002") {
        return { ok: false, error: { code: "conflict", message: "That already exists." } };
      }
      console.error(`[action ${definition.name}] failed:`, err);
      return { ok: false, error: { code: "failed", message: "Something went wrong; nothing was changed." } };
    }
  };
  const def = { ...definition, runAs };
  if (ACTION_REGISTRY.has(definition.name)) throw new Error(`Duplicate action name: ${definition.name}`);
  ACTION_REGISTRY.set(definition.name, def as TOrgActionDef<z.ZodType, unknown>);
  return def;
}
