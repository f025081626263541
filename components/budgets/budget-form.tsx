"use client";

import Link from "next/link";
import { useRef, useState, useTransition } from "react";
import type { TAction, TActionError } from "@/components/ui/action";
import { Button, ErrorMessage, Field, inputClass } from "@/components/ui/form";
import { COVERAGE, coverageOf, TEXT_VALUE_LABEL, type TCoverage } from "./format";

export type TBudgetFormOptions = {
  teams: { id: string; slug: string; name: string }[];
  costCenters: { id: string; code: string; name: string }[];
  keys: { id: string; prefix: string; name: string }[];
};

// A budget as the form edits it (the create form starts from DEFAULTS).
export type TBudgetFormValues = {
  name: string;
  scope: string;
  scopeValue: string;
  // The current value's label when the select no longer offers it (an archived team, a revoked key).
  scopeValueLabel?: string;
  amountUsd: string;
  period: "DAY" | "WEEK" | "MONTH" | "TOTAL";
  enforcement: "ALERT" | "BLOCK";
  thresholds: string;
  recipients: string;
  webhookUrl: string;
  forecastAlerts: boolean;
};

const DEFAULTS: TBudgetFormValues = {
  name: "",
  scope: "TEAM",
  scopeValue: "",
  amountUsd: "",
  period: "MONTH",
  enforcement: "ALERT",
  thresholds: "50, 80, 100",
  recipients: "",
  webhookUrl: "",
  forecastAlerts: true,
};

// Which field a server error belongs to: "thresholds[1]" → thresholds.
const fieldOf = (path: string) => path.split(/[.[]/)[0];

export function BudgetForm(props: {
  orgSlug: string;
  mode: "create" | "edit";
  budgetId?: string;
  initial?: TBudgetFormValues;
  options: TBudgetFormOptions;
  submit: TAction<{ id: string }>;
  onDone?: (id: string) => void;
  onCancel?: () => void;
}) {
  const initial = props.initial ?? { ...DEFAULTS, scope: props.options.teams.length ? "TEAM" : "ORG" };
  const formRef = useRef<HTMLFormElement>(null);
  const [coverage, setCoverage] = useState<TCoverage>(coverageOf(initial.scope, initial.scopeValue));
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<TActionError | null>(null);
  const choice = COVERAGE.find((c) => c.value === coverage)!;
  const fieldErrors = new Map<string, string>();
  for (const d of error?.details ?? []) if (!fieldErrors.has(fieldOf(d.path))) fieldErrors.set(fieldOf(d.path), d.message);
  const err = (name: string) => fieldErrors.get(name);
  // Keeps the value of an edited budget selectable when the list no longer has it.
  const sameScope = coverageOf(initial.scope, initial.scopeValue) === coverage;
  const keep = (listed: boolean) => sameScope && initial.scopeValue && !listed;

  return (
    <form
      ref={formRef}
      data-testid={props.mode === "create" ? "budget-create-form" : "budget-edit-form"}
      className="grid gap-4 p-3 sm:grid-cols-2 lg:grid-cols-3"
      action={(form) => {
        setError(null);
        const value = choice.input === "none" ? "" : choice.input === "each" ? "*" : String(form.get("scopeValue") ?? "");
        const input = {
          ...(props.budgetId ? { budgetId: props.budgetId } : {}),
          name: String(form.get("name") ?? ""),
          scope: choice.scope,
          scopeValue: value,
          amountUsd: String(form.get("amountUsd") ?? ""),
          period: String(form.get("period") ?? ""),
          enforcement: String(form.get("enforcement") ?? ""),
          thresholds: String(form.get("thresholds") ?? ""),
          recipients: String(form.get("recipients") ?? ""),
          webhookUrl: String(form.get("webhookUrl") ?? ""),
          forecastAlerts: form.get("forecastAlerts") === "on",
        };
        startTransition(async () => {
          const result = await props.submit(props.orgSlug, input);
          if (result.ok) {
            if (props.mode === "create") {
              formRef.current?.reset();
              setCoverage(coverageOf(initial.scope, initial.scopeValue));
            }
            props.onDone?.(result.data.id);
          } else setError(result.error);
        });
      }}
    >
      <Field label="Covers" error={err("scope")}>
        <select className={inputClass} value={coverage} onChange={(e) => setCoverage(e.target.value as TCoverage)} data-testid="budget-coverage">
          {COVERAGE.map((c) => (
            <option key={c.value} value={c.value}>{c.label}</option>
          ))}
        </select>
      </Field>

      {choice.input === "team" && (
        <Field label="Team" error={err("scopeValue")}>
          <select name="scopeValue" required className={inputClass} defaultValue={sameScope ? initial.scopeValue : ""} data-testid="budget-team">
            <option value="" disabled>Choose a team</option>
            {keep(props.options.teams.some((t) => t.id === initial.scopeValue)) && <option value={initial.scopeValue}>{initial.scopeValueLabel ?? initial.scopeValue}</option>}
            {props.options.teams.map((t) => (
              <option key={t.id} value={t.id}>{t.name} ({t.slug})</option>
            ))}
          </select>
          {props.options.teams.length === 0 && (
            <span className="mt-1 block text-xs text-slate-500">
              No teams yet — <Link className="text-orange-700 underline" href={`/${props.orgSlug}/teams`}>create one</Link>.
            </span>
          )}
        </Field>
      )}
      {choice.input === "costCenter" && (
        <Field label="Cost center" error={err("scopeValue")}>
          <select name="scopeValue" required className={inputClass} defaultValue={sameScope ? initial.scopeValue : ""}>
            <option value="" disabled>Choose a cost center</option>
            {keep(props.options.costCenters.some((c) => c.id === initial.scopeValue)) && <option value={initial.scopeValue}>{initial.scopeValueLabel ?? initial.scopeValue}</option>}
            {props.options.costCenters.map((c) => (
              <option key={c.id} value={c.id}>{c.code} — {c.name}</option>
            ))}
          </select>
        </Field>
      )}
      {choice.input === "key" && (
        <Field label="Key" error={err("scopeValue")}>
          <select name="scopeValue" required className={inputClass} defaultValue={sameScope ? initial.scopeValue : ""}>
            <option value="" disabled>Choose a key</option>
            {keep(props.options.keys.some((k) => k.id === initial.scopeValue)) && <option value={initial.scopeValue}>{initial.scopeValueLabel ?? initial.scopeValue}</option>}
            {props.options.keys.map((k) => (
              <option key={k.id} value={k.id}>{k.name} ({k.prefix}…)</option>
            ))}
          </select>
        </Field>
      )}
      {choice.input === "text" && TEXT_VALUE_LABEL[coverage] && (
        <Field label={TEXT_VALUE_LABEL[coverage]!.label} hint={TEXT_VALUE_LABEL[coverage]!.hint} error={err("scopeValue")}>
          <input
            key={coverage}
            name="scopeValue"
            required
            maxLength={256}
            autoComplete="off"
            placeholder={TEXT_VALUE_LABEL[coverage]!.placeholder}
            defaultValue={sameScope && initial.scopeValue !== "*" ? initial.scopeValue : ""}
            className={`${inputClass} font-mono`}
          />
        </Field>
      )}
      {(choice.input === "none" || choice.input === "each") && (
        <p className="self-end pb-1 text-xs text-slate-500 sm:col-span-1">
          {choice.input === "none"
            ? "Every call in the organization counts."
            : `Every ${choice.scope === "TASK" ? "task" : "execution"} gets the whole amount on its own, and alerts on its own.`}
        </p>
      )}

      <Field label="Amount (USD)" hint={choice.input === "each" ? "For each one, per period" : "Per period"} error={err("amountUsd")}>
        <input name="amountUsd" required inputMode="decimal" autoComplete="off" placeholder="250" defaultValue={initial.amountUsd} className={`${inputClass} tabular-nums`} />
      </Field>
      <Field label="Period" hint="In the organization's time zone" error={err("period")}>
        <select name="period" className={inputClass} defaultValue={initial.period}>
          <option value="DAY">Day</option>
          <option value="WEEK">Week (from Monday)</option>
          <option value="MONTH">Month</option>
          <option value="TOTAL">Total (never resets)</option>
        </select>
      </Field>
      <Field label="At 100%" error={err("enforcement")}>
        <select name="enforcement" className={inputClass} defaultValue={initial.enforcement}>
          <option value="ALERT">Alert only</option>
          <option value="BLOCK">Alert and block new work</option>
        </select>
      </Field>

      <Field label="Name" hint="Optional; alerts use it" error={err("name")}>
        <input name="name" maxLength={100} autoComplete="off" placeholder="e.g. Platform monthly" defaultValue={initial.name} className={inputClass} />
      </Field>
      <Field label="Alert thresholds (%)" hint="Each alerts once per period" error={err("thresholds")}>
        <input name="thresholds" autoComplete="off" placeholder="50, 80, 100" defaultValue={initial.thresholds} className={`${inputClass} tabular-nums`} />
      </Field>
      <Field label="Alert emails to" hint="Empty: the organization's owners and admins" error={err("recipients")}>
        <input name="recipients" autoComplete="off" placeholder="owners and admins" defaultValue={initial.recipients} className={inputClass} />
      </Field>
      <Field label="Webhook URL" hint="Empty: the organization's default webhook, if set" error={err("webhookUrl")}>
        <input name="webhookUrl" type="url" autoComplete="off" placeholder="https://hooks.slack.com/services/…" defaultValue={initial.webhookUrl} className={inputClass} />
      </Field>
      <label className="flex items-start gap-2 self-end pb-1 text-sm text-slate-700 sm:col-span-2">
        <input name="forecastAlerts" type="checkbox" defaultChecked={initial.forecastAlerts} className="mt-0.5 h-4 w-4 rounded border-slate-300 text-orange-600 focus:ring-orange-500" />
        <span>
          Forecast alert <span className="text-slate-500">— once a period, when the burn rate projects past the limit</span>
        </span>
      </label>

      <div className="space-y-3 sm:col-span-2 lg:col-span-3">
        <ErrorMessage error={error && fieldErrors.size ? { message: error.message } : error} />
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={pending} data-testid={props.mode === "create" ? "budget-create-submit" : "budget-save"}>
            {pending ? "Saving…" : props.mode === "create" ? "Create budget" : "Save changes"}
          </Button>
          {props.onCancel && (
            <Button type="button" variant="secondary" disabled={pending} onClick={props.onCancel}>
              Cancel
            </Button>
          )}
        </div>
      </div>
    </form>
  );
}
