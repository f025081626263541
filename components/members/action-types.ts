// The shape every server action returns (see lib/auth/action.ts), as client components see it.
export type TActionError = { message: string; details?: { path: string; message: string }[] };
export type TResult<T> = { ok: true; data: T } | { ok: false; error: TActionError };
export type TAction<T = unknown> = (orgSlug: string, input: unknown) => Promise<TResult<T>>;
