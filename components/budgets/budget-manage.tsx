"use client";

import { useState } from "react";
import { ConfirmButton, useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { Button, ErrorMessage } from "@/components/ui/form";
import { BudgetForm, type TBudgetFormOptions, type TBudgetFormValues } from "./budget-form";

// Edit and archive, for owners and admins, at the foot of a budget's card.
export function BudgetManage(props: {
  orgSlug: string;
  budgetId: string;
  name: string;
  initial: TBudgetFormValues;
  options: TBudgetFormOptions;
  updateBudget: TAction<{ id: string }>;
  archiveBudget: TAction<null>;
}) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<TActionError | null>(null);
  const [pending, run] = useActionRunner(setError);

  if (editing) {
    return (
      <div className="rounded-md border border-slate-200 bg-slate-50">
        <h3 className="px-3 pt-3 text-sm font-semibold text-slate-700">Edit {props.name}</h3>
        <BudgetForm
          orgSlug={props.orgSlug}
          mode="edit"
          budgetId={props.budgetId}
          initial={props.initial}
          options={props.options}
          submit={props.updateBudget}
          onDone={() => setEditing(false)}
          onCancel={() => setEditing(false)}
        />
      </div>
    );
  }
  return (
    <div className="space-y-2">
      <ErrorMessage error={error} />
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" disabled={pending} onClick={() => setEditing(true)} data-testid="budget-edit">
          Edit
        </Button>
        <ConfirmButton
          disabled={pending}
          testId="budget-archive"
          question={`Archive the budget “${props.name}”?\n\nIt stops counting, alerting and blocking at once. Its alert history stays; there is no un-archive.`}
          onConfirm={() => run(() => props.archiveBudget(props.orgSlug, { budgetId: props.budgetId }))}
        >
          Archive
        </ConfirmButton>
      </div>
    </div>
  );
}

// "New budget": the create form, folded away once there are budgets to look at.
export function BudgetCreate(props: { orgSlug: string; options: TBudgetFormOptions; createBudget: TAction<{ id: string }>; startOpen: boolean }) {
  const [open, setOpen] = useState(props.startOpen);
  const [created, setCreated] = useState(false);
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-2 px-5 py-3">
        <h2 className="text-sm font-semibold text-slate-700">Create a budget</h2>
        {!open && (
          <Button type="button" onClick={() => { setCreated(false); setOpen(true); }} data-testid="budget-new">
            New budget
          </Button>
        )}
      </div>
      {created && !open && (
        <p role="status" className="px-5 pb-3 text-sm text-emerald-700">Budget created — it counts this period&apos;s spend so far.</p>
      )}
      {open && (
        <div className="border-t border-slate-100 p-2">
          <BudgetForm
            orgSlug={props.orgSlug}
            mode="create"
            options={props.options}
            submit={props.createBudget}
            onDone={() => {
              setCreated(true);
              setOpen(false);
            }}
            onCancel={props.startOpen ? undefined : () => setOpen(false)}
          />
        </div>
      )}
    </section>
  );
}
