import { revalidatePath } from "next/cache";
import type { z } from "zod";
import type { TActionResult, TOrgActionDef } from "./action";
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

// Actions that need a signed-in user but no org yet (onboarding, accepting an invitation).
export function userAction<A extends unknown[], T>(run: (user: { id: string; email: string | null; name: string | null }, ...args: A) => Promise<T>) {
  return async (...args: A): Promise<T | { ok: false; error: { code: "unauthenticated"; message: string } }> => {
    const user = await currentUser();
    if (!user) return { ok: false, error: { code: "unauthenticated", message: "Sign in first." } };
    return run(user, ...args);
  };
}

// Actions anyone may call (sign-in). They validate and rate-limit their input themselves.
export function publicAction<A extends unknown[], T>(run: (...args: A) => Promise<T>) {
  return async (...args: A): Promise<T> => run(...args);
}
