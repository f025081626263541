"use client";

import { useState, useTransition } from "react";
import { Button, ErrorMessage, inputClass } from "@/components/ui/form";
import type { TActionError, TResult } from "@/components/ui/action";

// A name that turns into an input on "Rename"; Enter saves, Escape cancels.
export function InlineRename(props: { value: string; label: string; onSave: (name: string) => Promise<TResult<unknown>>; nameClassName?: string }) {
  const [editing, setEditing] = useState(false);
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<TActionError | null>(null);

  if (!editing) {
    return (
      <span className="group inline-flex items-center gap-2">
        <span className={props.nameClassName ?? "font-medium text-slate-900"}>{props.value}</span>
        <button
          type="button"
          className="text-xs text-slate-400 underline-offset-2 hover:text-orange-600 hover:underline"
          aria-label={`Rename ${props.label}`}
          onClick={() => {
            setError(null);
            setEditing(true);
          }}
        >
          Rename
        </button>
      </span>
    );
  }

  return (
    <form
      className="space-y-2"
      action={(form) => {
        const name = String(form.get("name") ?? "").trim();
        if (name === props.value) {
          setEditing(false);
          return;
        }
        setError(null);
        startTransition(async () => {
          const result = await props.onSave(name);
          if (result.ok) setEditing(false);
          else setError(result.error);
        });
      }}
    >
      <div className="flex items-center gap-2">
        <input
          name="name"
          defaultValue={props.value}
          required
          maxLength={100}
          autoFocus
          aria-label={`New name for ${props.label}`}
          className={inputClass}
          onKeyDown={(e) => {
            if (e.key === "Escape") setEditing(false);
          }}
        />
        <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Save"}</Button>
        <Button type="button" variant="secondary" disabled={pending} onClick={() => setEditing(false)}>Cancel</Button>
      </div>
      <ErrorMessage error={error} />
    </form>
  );
}
