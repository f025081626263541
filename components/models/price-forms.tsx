"use client";

import { useState, useTransition } from "react";
import type { TRepriceSummary } from "@/lib/pricing/reprice";
import type { TAction, TActionError } from "@/components/ui/action";
import { shortDateTime } from "@/components/ui/format";
import { Button, ErrorMessage, Field, inputClass } from "@/components/ui/form";
import { Usd } from "@/components/ui/usd";
import { plural } from "./format";

// The two things an owner or admin does on the models page: add a price (an override from a date),
// and reprice the calls already stored for a model and range — asked first, its summary shown after.
// After a price is added, the reprice form is filled in for it: stored calls keep their old cost
// until repriced.

export type TPriceFormDefaults = {
  priceModel: string;
  priceFrom: string;
  repriceModel: string;
  repriceFrom: string;
  repriceTo: string;
};

const panel = "rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900";
const heading = "border-b border-slate-100 px-5 py-3 text-sm font-semibold text-slate-700 dark:border-slate-800 dark:text-slate-200";
const input = `${inputClass} dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100`;
const hint = "text-xs text-slate-500 dark:text-slate-400";

export function PriceForms(props: {
  orgSlug: string;
  timezone: string;
  models: string[];
  defaults: TPriceFormDefaults;
  addPrice: TAction<{ model: string; effectiveFrom: string }>;
  reprice: TAction<TRepriceSummary>;
}) {
  const [reprice, setReprice] = useState({ model: props.defaults.repriceModel, from: props.defaults.repriceFrom, to: props.defaults.repriceTo });
  const [added, setAdded] = useState<{ model: string; from: string } | null>(null);

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <datalist id="models-seen">
        {props.models.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <AddPriceForm
        {...props}
        added={added}
        onAdded={(model, from) => {
          setAdded({ model, from });
          setReprice((r) => ({ ...r, model, from }));
        }}
      />
      <RepriceForm {...props} values={reprice} onChange={setReprice} />
    </div>
  );
}

function AddPriceForm(props: {
  orgSlug: string;
  timezone: string;
  defaults: TPriceFormDefaults;
  addPrice: TAction<{ model: string; effectiveFrom: string }>;
  added: { model: string; from: string } | null;
  onAdded: (model: string, from: string) => void;
}) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<TActionError | null>(null);
  return (
    <section id="add-price" className={`${panel} scroll-mt-4`} aria-labelledby="add-price-title">
      <h2 id="add-price-title" className={heading}>
        Add a price
      </h2>
      <form
        className="grid gap-4 p-4 sm:grid-cols-2"
        data-testid="add-price-form"
        action={(form) => {
          setError(null);
          const value = (name: string) => String(form.get(name) ?? "").trim();
          const data = {
            model: value("model"),
            provider: value("provider"),
            effectiveFrom: value("effectiveFrom"),
            inputMtok: value("inputMtok"),
            outputMtok: value("outputMtok"),
            cacheReadMtok: value("cacheReadMtok"),
            cacheWriteMtok: value("cacheWriteMtok"),
          };
          startTransition(async () => {
            const result = await props.addPrice(props.orgSlug, data);
            if (result.ok) props.onAdded(data.model, data.effectiveFrom);
            else setError(result.error);
          });
        }}
      >
        <div className="sm:col-span-2">
          <Field label="Model" hint="The name exactly as your calls send it (letter case does not matter).">
            <input name="model" required maxLength={200} list="models-seen" defaultValue={props.defaults.priceModel} autoComplete="off" className={`${input} font-mono`} data-testid="price-model" />
          </Field>
        </div>
        <Field label="Applies from" hint={`Midnight of that day, ${props.timezone}. Calls before it keep the earlier price.`}>
          <input name="effectiveFrom" type="date" required defaultValue={props.defaults.priceFrom} className={input} data-testid="price-from" />
        </Field>
        <Field label="Provider (optional)" hint="Only for calls naming this provider; empty = any.">
          <input name="provider" maxLength={100} placeholder="any" autoComplete="off" className={input} />
        </Field>
        <Field label="Input, USD per 1M tokens">
          <input name="inputMtok" required inputMode="decimal" pattern="\d{1,7}(\.\d{1,9})?" title="e.g. 3 or 0.15" placeholder="3.00" autoFocus={!!props.defaults.priceModel} className={`${input} tabular-nums`} data-testid="price-input" />
        </Field>
        <Field label="Output, USD per 1M tokens">
          <input name="outputMtok" required inputMode="decimal" pattern="\d{1,7}(\.\d{1,9})?" title="e.g. 15 or 0.6" placeholder="15.00" className={`${input} tabular-nums`} data-testid="price-output" />
        </Field>
        <Field label="Cache read (optional)" hint="Empty: billed at the input rate.">
          <input name="cacheReadMtok" inputMode="decimal" pattern="\d{1,7}(\.\d{1,9})?" title="e.g. 0.3" placeholder="0.30" className={`${input} tabular-nums`} />
        </Field>
        <Field label="Cache write (optional)" hint="Empty: billed at the input rate.">
          <input name="cacheWriteMtok" inputMode="decimal" pattern="\d{1,7}(\.\d{1,9})?" title="e.g. 3.75" placeholder="3.75" className={`${input} tabular-nums`} />
        </Field>
        <div className="space-y-3 sm:col-span-2">
          <ErrorMessage error={error} />
          {props.added && !error && (
            <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-200" data-testid="price-added">
              Price added for <span className="font-mono">{props.added.model}</span> from {props.added.from}. New calls use it now; calls already stored keep
              their old cost until you reprice them (the form beside is filled in).
            </p>
          )}
          <Button type="submit" disabled={pending} data-testid="price-submit" className="focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500">
            {pending ? "Adding…" : "Add price"}
          </Button>
        </div>
      </form>
    </section>
  );
}

function RepriceForm(props: {
  orgSlug: string;
  timezone: string;
  values: { model: string; from: string; to: string };
  onChange: (values: { model: string; from: string; to: string }) => void;
  reprice: TAction<TRepriceSummary>;
}) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<TActionError | null>(null);
  const [asking, setAsking] = useState(false);
  const [summary, setSummary] = useState<TRepriceSummary | null>(null);
  const { values } = props;
  const set = (field: "model" | "from" | "to", value: string) => {
    setAsking(false);
    props.onChange({ ...values, [field]: value });
  };

  const run = () => {
    setError(null);
    setSummary(null);
    startTransition(async () => {
      const result = await props.reprice(props.orgSlug, values);
      setAsking(false);
      if (result.ok) setSummary(result.data);
      else setError(result.error);
    });
  };

  return (
    <section id="reprice" className={`${panel} scroll-mt-4`} aria-labelledby="reprice-title">
      <h2 id="reprice-title" className={heading}>
        Reprice stored calls
      </h2>
      <form
        className="grid gap-4 p-4 sm:grid-cols-2"
        data-testid="reprice-form"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          setSummary(null);
          setAsking(true);
        }}
      >
        <p className={`${hint} sm:col-span-2`}>
          Prices the calls of one model in a range again, each with the price in effect at its own time, and moves every total with them: executions,
          spend, budgets (alerts included, never sent twice). Costs a client reported with its calls are kept as sent.
        </p>
        <div className="sm:col-span-2">
          <Field label="Model">
            <input name="model" required maxLength={200} list="models-seen" value={values.model} onChange={(e) => set("model", e.target.value)} autoComplete="off" className={`${input} font-mono`} data-testid="reprice-model" />
          </Field>
        </div>
        <Field label="From" hint={`Start of that day, ${props.timezone}`}>
          <input name="from" type="date" required value={values.from} onChange={(e) => set("from", e.target.value)} className={input} data-testid="reprice-from" />
        </Field>
        <Field label="To" hint="Through the end of that day">
          <input name="to" type="date" required value={values.to} onChange={(e) => set("to", e.target.value)} className={input} data-testid="reprice-to" />
        </Field>
        <div className="space-y-3 sm:col-span-2">
          <ErrorMessage error={error} />
          {asking ? (
            <div role="alertdialog" aria-labelledby="reprice-confirm" className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100" data-testid="reprice-confirm">
              <p id="reprice-confirm">
                Reprice every call of <span className="font-mono font-medium">{values.model}</span> from {values.from} through {values.to} ({props.timezone})? Spend
                and budgets change at once, and a budget this lifts past a threshold sends its alert.
              </p>
              <div className="flex flex-wrap gap-2">
                <Button type="button" onClick={run} disabled={pending} autoFocus data-testid="reprice-confirm-button" className="focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500">
                  {pending ? "Repricing…" : "Yes, reprice"}
                </Button>
                <Button type="button" variant="secondary" onClick={() => setAsking(false)} disabled={pending} className="focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500">
                  Cancel
                </Button>
              </div>
            </div>
          ) : (
            <Button type="submit" data-testid="reprice-submit" className="focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500">
              Reprice…
            </Button>
          )}
          {summary && <RepriceSummary summary={summary} timezone={props.timezone} />}
        </div>
      </form>
    </section>
  );
}

function RepriceSummary({ summary: s, timezone }: { summary: TRepriceSummary; timezone: string }) {
  const up = !s.deltaUsd.startsWith("-") && s.deltaUsd !== "0.00";
  return (
    <div role="status" className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-100" data-testid="reprice-summary">
      <p className="font-medium">
        {s.eventsRepriced === 0 ? "Nothing changed: " : `Repriced ${plural(s.eventsRepriced, "call")} of `}
        <span className="font-mono">{s.model}</span>
        {s.eventsRepriced === 0 ? (s.eventsConsidered === 0 ? " had no calls we price in that range." : " already had these prices.") : ""}
      </p>
      <p className="text-xs text-emerald-900/80 dark:text-emerald-200/80">
        {shortDateTime(s.from, timezone)} – {shortDateTime(s.to, timezone)} ({timezone})
      </p>
      <dl className="grid grid-cols-3 gap-2 tabular-nums">
        <div>
          <dt className="text-xs text-emerald-900/80 dark:text-emerald-200/80">Before</dt>
          <dd className="font-semibold" data-testid="reprice-old">
            <Usd value={s.oldTotalUsd} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-emerald-900/80 dark:text-emerald-200/80">After</dt>
          <dd className="font-semibold" data-testid="reprice-new">
            <Usd value={s.newTotalUsd} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-emerald-900/80 dark:text-emerald-200/80">Change</dt>
          <dd className="font-semibold" data-testid="reprice-delta">
            {up ? "+" : ""}
            <Usd value={s.deltaUsd} />
          </dd>
        </div>
      </dl>
      <ul className="list-disc space-y-0.5 pl-5 text-xs">
        <li>
          Calls at $0 (unpriced): {s.unpricedBefore} → {s.unpricedAfter}
        </li>
        {s.reportedUntouched > 0 && <li>{plural(s.reportedUntouched, "call")} with a cost the client reported left as sent</li>}
        <li>
          Updated {plural(s.executionsUpdated, "execution")}, {plural(s.rollupsUpdated, "hourly total")}, {plural(s.countersUpdated, "budget counter")}
        </li>
        {s.alerts > 0 && <li className="font-medium">{plural(s.alerts, "budget alert")} sent: the new spend crossed a threshold</li>}
      </ul>
    </div>
  );
}
