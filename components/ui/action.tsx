"use client";

import { useTransition, type ReactNode } from "react";
import { Button } from "./form";

// The shape every server action returns (see lib/auth/action.ts), as client components see it.
export type TActionError = { message: string; details?: { path: string; message: string }[] };
export type TResult<T> = { ok: true; data: T } | { ok: false; error: TActionError };
export type TAction<T = unknown> = (orgSlug: string, input: unknown) => Promise<TResult<T>>;

// Runs a server action in a transition and reports its error (or clears it) through `onError`.
export function useActionRunner(onError: (error: TActionError | null) => void) {
  const [pending, startTransition] = useTransition();
  const run = <T,>(call: () => Promise<TResult<T>>, onSuccess?: (data: T) => void) => {
    onError(null);
    startTransition(async () => {
      const result = await call();
      if (result.ok) onSuccess?.(result.data);
      else onError(result.error);
    });
  };
  return [pending, run] as const;
}

// A destructive button that asks first (archive, remove, revoke).
export function ConfirmButton(props: {
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
  variant?: "primary" | "secondary" | "danger";
  testId?: string;
  children: ReactNode;
}) {
  return (
    <Button
      variant={props.variant ?? "danger"}
      disabled={props.disabled}
      data-testid={props.testId}
      onClick={() => {
        if (window.confirm(props.question)) props.onConfirm();
      }}
    >
      {props.children}
    </Button>
  );
}
