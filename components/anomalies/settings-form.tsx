"use client";

import { useState, type ReactNode } from "react";
import type { TAnomalySettings } from "@/lib/anomalies/settings";
import type { TAnomalyDefaultsInWords } from "@/lib/anomalies/settings-edit";
import { useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { Button, ErrorMessage, inputClass } from "@/components/ui/form";

// Runaway detection's settings (the settings page): each kind on or off, its thresholds and its
// circuit breaker, each with its default in plain words. The whole form is saved at once; the
// server merges, validates (ZAnomalySettings) and audits it. Read-only below admin.

type TProps = { orgSlug: string; settings: TAnomalySettings; defaults: TAnomalyDefaultsInWords; save?: TAction<TAnomalySettings> };

const box = "h-4 w-4 rounded border-slate-300 accent-orange-600 dark:border-slate-600";

function Check({ name, label, hint, checked, disabled }: { name: string; label: string; hint: string; checked: boolean; disabled: boolean }) {
  return (
    <div className="text-sm">
      <label className="inline-flex items-center gap-2 font-medium text-slate-800 dark:text-slate-100">
        <input type="checkbox" name={name} defaultChecked={checked} disabled={disabled} className={box} />
        {label}
      </label>
      <span className="mt-0.5 block pl-6 text-xs text-slate-500 dark:text-slate-400">{hint}</span>
    </div>
  );
}

function NumberField(props: { name: string; label: string; value: number | string | null; unit?: string; step?: string; min?: number; max?: number; disabled: boolean; error?: string; placeholder?: string; width?: string }) {
  return (
    <label className="block text-sm">
      <span className="font-medium text-slate-700 dark:text-slate-200">{props.label}</span>
      <span className="mt-1 flex items-center gap-1.5">
        <input
          name={props.name}
          inputMode="decimal"
          defaultValue={props.value ?? ""}
          placeholder={props.placeholder}
          disabled={props.disabled}
          aria-invalid={props.error ? true : undefined}
          className={`${inputClass} ${props.width ?? "w-24"} tabular-nums`}
        />
        {props.unit && <span className="text-xs text-slate-500 dark:text-slate-400">{props.unit}</span>}
      </span>
      {props.error && <span className="mt-1 block text-xs text-rose-600 dark:text-rose-400">{props.error}</span>}
    </label>
  );
}

function Group({ title, children, id }: { title: string; children: ReactNode; id: string }) {
  return (
    <fieldset className="rounded-md border border-slate-200 p-3 dark:border-slate-700" data-testid={`settings-${id}`}>
      <legend className="px-1 text-sm font-semibold text-slate-800 dark:text-slate-100">{title}</legend>
      <div className="space-y-3">{children}</div>
    </fieldset>
  );
}

const Hint = ({ children }: { children: ReactNode }) => <p className="text-xs text-slate-500 dark:text-slate-400">{children}</p>;

// Form text → the action's input. Numbers stay text when they are not numbers, so the server's
// validation names the field; an empty USD limit means "no limit" (null).
function patchOf(form: FormData) {
  const on = (name: string) => form.get(name) === "on";
  const num = (name: string) => {
    const raw = String(form.get(name) ?? "").trim();
    const n = Number(raw);
    return raw !== "" && Number.isFinite(n) ? n : raw;
  };
  const usd = (name: string) => String(form.get(name) ?? "").trim().replace(/^\$/, "");
  const usdOrNull = (name: string) => usd(name) || null;
  return {
    retryLoop: { enabled: on("retryLoop.enabled"), block: on("retryLoop.block"), minCalls: num("retryLoop.minCalls"), windowMinutes: num("retryLoop.windowMinutes"), sizeTolerancePercent: num("retryLoop.sizeTolerancePercent") },
    costSpike: { enabled: on("costSpike.enabled"), block: on("costSpike.block"), factor: num("costSpike.factor"), minHistory: num("costSpike.minHistory"), perCallLimitUsd: usdOrNull("costSpike.perCallLimitUsd"), blockPerCall: on("costSpike.blockPerCall") },
    contextGrowth: { enabled: on("contextGrowth.enabled"), block: on("contextGrowth.block"), factor: num("contextGrowth.factor"), minInputTokens: num("contextGrowth.minInputTokens") },
    velocity: { enabled: on("velocity.enabled"), limitUsdPerMinute: usdOrNull("velocity.limitUsdPerMinute"), factor: num("velocity.factor"), minUsdPerMinute: usd("velocity.minUsdPerMinute") },
    modelMisuse: { enabled: on("modelMisuse.enabled"), usualSharePercent: num("modelMisuse.usualSharePercent"), priceFactor: num("modelMisuse.priceFactor") },
  };
}

export function AnomalySettingsForm({ orgSlug, settings: s, defaults: d, save }: TProps) {
  const [error, setError] = useState<TActionError | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, run] = useActionRunner(setError);
  const disabled = !save || pending;
  const fieldError = (path: string) => error?.details?.find((e) => e.path === path)?.message;
  const known = new Set(["retryLoop", "costSpike", "contextGrowth", "velocity", "modelMisuse"]);
  return (
    <form
      className="space-y-4 p-3"
      data-testid="anomaly-settings"
      // onSubmit, not a form action: React resets a form after its action, which would wipe the
      // edits of a save the server refused (field errors) — the lead would retype everything.
      onSubmit={(event) => {
        event.preventDefault();
        setSaved(false);
        const form = new FormData(event.currentTarget);
        if (save) run(() => save(orgSlug, patchOf(form)), () => setSaved(true));
      }}
    >
      <div className="grid gap-4 lg:grid-cols-2">
        <Group title="Retry loops" id="retry-loop">
          <Check name="retryLoop.enabled" label="Watch for retry loops" hint={d.retryLoop.enabled} checked={s.retryLoop.enabled} disabled={disabled} />
          <div className="flex flex-wrap gap-3">
            <NumberField name="retryLoop.minCalls" label="Identical calls" value={s.retryLoop.minCalls} unit="calls" disabled={disabled} error={fieldError("retryLoop.minCalls")} />
            <NumberField name="retryLoop.windowMinutes" label="Within" value={s.retryLoop.windowMinutes} unit="minutes" disabled={disabled} error={fieldError("retryLoop.windowMinutes")} />
            <NumberField name="retryLoop.sizeTolerancePercent" label="Size tolerance" value={s.retryLoop.sizeTolerancePercent} unit="%" disabled={disabled} error={fieldError("retryLoop.sizeTolerancePercent")} />
          </div>
          <Hint>{d.retryLoop.rule}. Size tolerance — {d.retryLoop.sizeTolerancePercent.replace(/^default: /, "default ")}.</Hint>
          <Check name="retryLoop.block" label="Circuit breaker: stop the execution" hint={`${d.retryLoop.block}; a person resumes it`} checked={s.retryLoop.block} disabled={disabled} />
        </Group>

        <Group title="Cost spikes" id="cost-spike">
          <Check name="costSpike.enabled" label="Watch for cost spikes" hint={d.costSpike.enabled} checked={s.costSpike.enabled} disabled={disabled} />
          <div className="flex flex-wrap gap-3">
            <NumberField name="costSpike.perCallLimitUsd" label="Per-call limit" value={s.costSpike.perCallLimitUsd} unit="USD" placeholder="none" disabled={disabled} error={fieldError("costSpike.perCallLimitUsd")} />
          </div>
          <Hint>{d.costSpike.perCallLimitUsd}.</Hint>
          <Check name="costSpike.blockPerCall" label="Circuit breaker for a call over the limit" hint={d.costSpike.blockPerCall} checked={s.costSpike.blockPerCall} disabled={disabled} />
          <div className="flex flex-wrap gap-3">
            <NumberField name="costSpike.factor" label="Execution over" value={s.costSpike.factor} unit="× agent median" disabled={disabled} error={fieldError("costSpike.factor")} />
            <NumberField name="costSpike.minHistory" label="Median of at least" value={s.costSpike.minHistory} unit="finished runs" disabled={disabled} error={fieldError("costSpike.minHistory")} />
          </div>
          <Hint>{d.costSpike.factor}; {d.costSpike.minHistory.replace(/^default: /, "")}.</Hint>
          <Check name="costSpike.block" label="Circuit breaker for an execution over the median" hint={d.costSpike.block} checked={s.costSpike.block} disabled={disabled} />
        </Group>

        <Group title="Context growth" id="context-growth">
          <Check name="contextGrowth.enabled" label="Watch for growing contexts" hint={d.contextGrowth.enabled} checked={s.contextGrowth.enabled} disabled={disabled} />
          <div className="flex flex-wrap gap-3">
            <NumberField name="contextGrowth.factor" label="Input grows" value={s.contextGrowth.factor} unit="× the first call's" disabled={disabled} error={fieldError("contextGrowth.factor")} />
            <NumberField name="contextGrowth.minInputTokens" label="And reaches" value={s.contextGrowth.minInputTokens} unit="tokens" width="w-28" disabled={disabled} error={fieldError("contextGrowth.minInputTokens")} />
          </div>
          <Hint>{d.contextGrowth.rule}.</Hint>
          <Check name="contextGrowth.block" label="Circuit breaker: stop the execution" hint={d.contextGrowth.block} checked={s.contextGrowth.block} disabled={disabled} />
        </Group>

        <Group title="Spend velocity and premium models" id="velocity">
          <Check name="velocity.enabled" label="Watch spend per minute (org and each agent)" hint={d.velocity.enabled} checked={s.velocity.enabled} disabled={disabled} />
          <div className="flex flex-wrap gap-3">
            <NumberField name="velocity.factor" label="A minute over" value={s.velocity.factor} unit="× 24 h average" disabled={disabled} error={fieldError("velocity.factor")} />
            <NumberField name="velocity.minUsdPerMinute" label="When at least" value={s.velocity.minUsdPerMinute} unit="USD/min" disabled={disabled} error={fieldError("velocity.minUsdPerMinute")} />
            <NumberField name="velocity.limitUsdPerMinute" label="Or over a fixed" value={s.velocity.limitUsdPerMinute} unit="USD/min" placeholder="none" disabled={disabled} error={fieldError("velocity.limitUsdPerMinute")} />
          </div>
          <Hint>{d.velocity.rule}; fixed limit — {d.velocity.limitUsdPerMinute.replace(/^default: /, "default ")}. Alerts only: a minute of the whole org has no one execution to stop.</Hint>
          <Check name="modelMisuse.enabled" label="Watch for premium models on cheap agents" hint={d.modelMisuse.enabled} checked={s.modelMisuse.enabled} disabled={disabled} />
          <div className="flex flex-wrap gap-3">
            <NumberField name="modelMisuse.usualSharePercent" label="Usual model share" value={s.modelMisuse.usualSharePercent} unit="%" disabled={disabled} error={fieldError("modelMisuse.usualSharePercent")} />
            <NumberField name="modelMisuse.priceFactor" label="Pricier by" value={s.modelMisuse.priceFactor} unit="× input price" disabled={disabled} error={fieldError("modelMisuse.priceFactor")} />
          </div>
          <Hint>{d.modelMisuse.rule}. Alerts only.</Hint>
        </Group>
      </div>
      {error && (!error.details?.length || error.details.some((e) => !known.has(e.path.split(".")[0]))) && <ErrorMessage error={error} />}
      {error && error.details?.length && error.details.every((e) => known.has(e.path.split(".")[0])) ? (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">{error.message}</p>
      ) : null}
      {saved && <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300" data-testid="anomaly-settings-saved">Saved. The next call any agent makes is checked with these settings.</p>}
      {save ? (
        <Button type="submit" disabled={pending} data-testid="anomaly-settings-save">{pending ? "Saving…" : "Save runaway detection"}</Button>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">Owners and admins change these.</p>
      )}
    </form>
  );
}
