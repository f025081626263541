import { revalidatePath } from "next/cache";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { toActionError, type TActionResult, type TOrgActionDef } from "./action";
import { currentUser } from "./session";

// The thin bridge from a "use server" file to a registered org action: the signed-in user runs it,
// and the org's pages are refreshed after a change.
export function serverAction<S extends z.ZodType, T>(def: TOrgActionDef<S, T>) {
  return async (orgSlug: string, input: unknown): Promise<TActionResult<T>> => {
    const user = await currentUser();
    const result = await def.runAs(user?.id ?? null, orgSlug, input);
    if (result.ok) revalidatePath(`/${orgSlug}`, "layout");
    return result;
  };
}

export type TSignedInUser = { id: string; email: string | null; name: string | null };

// Actions that need a signed-in user but no org yet (onboarding, accepting an invitation). A thrown
// DomainError becomes the same form error as in org actions; Next's redirect() passes through.
export function userAction<A extends unknown[], T>(name: string, run: (user: TSignedInUser, ...args: A) => Promise<T>) {
  return async (...args: A): Promise<TActionResult<T>> => {
    const user = await currentUser();
    if (!user) return { ok: false, error: { code: "unauthorized", message: "Sign in first." } };
    try {
      return { ok: true, data: await run(user, ...args) };
    } catch (err) {
      unstable_rethrow(err);
      return { ok: false, error: toActionError(err, name) };
    }
  };
}

// Actions anyone may call (sign-in). They validate and rate-limit their input themselves.
export function publicAction<A extends unknown[], T>(run: (...args: A) => Promise<T>) {
  return async (...args: A): Promise<T> => run(...args);
}
