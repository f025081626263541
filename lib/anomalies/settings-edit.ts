import { z } from "zod";
import { recordAudit } from "../audit/log";
import { prisma } from "../db";
import { invalid, notFound, zodDetails } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { displayUsd } from "../money";
import { anomalySettingsOf, DEFAULT_ANOMALY_SETTINGS, ZAnomalySettings, type TAnomalySettings } from "./settings";

// Saving runaway detection's settings (the settings page, owners and admins): the change is merged
// over what the org has (each kind, each field on its own), the result validated whole with
// ZAnomalySettings, stored as the org's document and audit-logged with what changed. The detectors
// read the document in their own statement, so the next write on any replica uses it.

// What a save may carry: any kind, any of its fields.
export const ZAnomalySettingsPatch = z.strictObject(
  Object.fromEntries(Object.entries(ZAnomalySettings.shape).map(([kind, schema]) => [kind, (schema as z.ZodObject).partial().strict().optional()])) as {
    [K in keyof TAnomalySettings]: z.ZodOptional<z.ZodObject>;
  },
);
export type TAnomalySettingsPatch = { [K in keyof TAnomalySettings]?: Partial<TAnomalySettings[K]> };

export async function anomalySettingsFor(orgId: string): Promise<TAnomalySettings> {
  const org = await prisma().organization.findUnique({ where: { id: orgId }, select: { anomalySettings: true } });
  if (!org) throw notFound("No such organization.");
  return anomalySettingsOf(org.anomalySettings);
}

export async function saveAnomalySettings(orgId: string, actorId: string | null, patch: TAnomalySettingsPatch): Promise<TAnomalySettings> {
  return prisma().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ s: unknown }[]>`SELECT "anomalySettings" AS s FROM "Organization" WHERE id = ${orgId} FOR UPDATE`;
    if (!rows[0]) throw notFound("No such organization.");
    const before = anomalySettingsOf(rows[0].s);
    const merged: Record<string, Record<string, unknown>> = structuredClone(before) as never;
    for (const [kind, fields] of Object.entries(patch)) {
      if (!fields || !(kind in merged)) continue;
      for (const [name, value] of Object.entries(fields)) if (value !== undefined) merged[kind][name] = value;
    }
    const parsed = ZAnomalySettings.safeParse(merged);
    if (!parsed.success) throw invalid("Please check the highlighted settings.", zodDetails(parsed.error));
    const after = parsed.data;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [kind, fields] of Object.entries(after) as [string, Record<string, unknown>][]) {
      for (const [name, value] of Object.entries(fields)) {
        const old = (before as unknown as Record<string, Record<string, unknown>>)[kind][name];
        if (old !== value) changes[`${kind}.${name}`] = { from: old, to: value };
      }
    }
    if (Object.keys(changes).length === 0) return after;
    await tx.organization.update({ where: { id: orgId }, data: { anomalySettings: after as unknown as Prisma.InputJsonValue } });
    await recordAudit(tx, { orgId, actorId, action: "anomaly.settings_changed", targetType: "Organization", targetId: orgId, details: changes as Prisma.InputJsonValue });
    return after;
  });
}

// Each default in plain words, for the settings page ("default: 3 identical calls within 10 minutes").
export function anomalyDefaultsInWords(d: TAnomalySettings = DEFAULT_ANOMALY_SETTINGS) {
  const onOff = (v: boolean) => (v ? "on" : "off");
  return {
    retryLoop: {
      enabled: `default: ${onOff(d.retryLoop.enabled)}`,
      block: `default: ${d.retryLoop.block ? "stops the execution" : "alerts only"}`,
      rule: `default: ${d.retryLoop.minCalls} identical calls within ${d.retryLoop.windowMinutes} minutes`,
      sizeTolerancePercent: `default: ±${d.retryLoop.sizeTolerancePercent} % — without a client fingerprint, calls with the same model, tool and error whose input and output sizes are this close count as the same call`,
    },
    costSpike: {
      enabled: `default: ${onOff(d.costSpike.enabled)}`,
      block: `default: ${d.costSpike.block ? "stops the execution" : "alerts only"}`,
      factor: `default: an execution costing more than ${d.costSpike.factor}× its agent's median run`,
      minHistory: `default: once the agent has ${d.costSpike.minHistory} finished runs (fewer make no median)`,
      perCallLimitUsd: `default: ${d.costSpike.perCallLimitUsd === null ? "no per-call limit" : `one LLM call over ${displayUsd(d.costSpike.perCallLimitUsd)}`}; empty = no limit`,
      blockPerCall: `default: ${d.costSpike.blockPerCall ? "stops the execution" : "alerts only"}`,
    },
    contextGrowth: {
      enabled: `default: ${onOff(d.contextGrowth.enabled)}`,
      block: `default: ${d.contextGrowth.block ? "stops the execution" : "alerts only"}`,
      rule: `default: a call's input ${d.contextGrowth.factor}× the first call's, and at least ${d.contextGrowth.minInputTokens.toLocaleString("en-US")} tokens`,
    },
    velocity: {
      enabled: `default: ${onOff(d.velocity.enabled)}`,
      limitUsdPerMinute: `default: ${d.velocity.limitUsdPerMinute === null ? "no fixed limit" : `${displayUsd(d.velocity.limitUsdPerMinute)} a minute`}; empty = only the factor rule`,
      rule: `default: a minute costing ${d.velocity.factor}× the trailing 24-hour average, when it cost at least ${displayUsd(d.velocity.minUsdPerMinute)}`,
    },
    modelMisuse: {
      enabled: `default: ${onOff(d.modelMisuse.enabled)}`,
      rule: `default: an agent that uses one model for ${d.modelMisuse.usualSharePercent} % of its calls calling one whose input price is ${d.modelMisuse.priceFactor}× higher`,
    },
  };
}
export type TAnomalyDefaultsInWords = ReturnType<typeof anomalyDefaultsInWords>;

// What is watched with an org's settings, one line per kind (the anomalies page's empty state).
export function watchedInWords(s: TAnomalySettings): { kind: string; text: string; on: boolean }[] {
  const breaker = (block: boolean) => (block ? "stops the execution" : "alerts only");
  return [
    { kind: "RETRY_LOOP", on: s.retryLoop.enabled, text: `${s.retryLoop.minCalls} identical calls within ${s.retryLoop.windowMinutes} minutes in one execution — ${breaker(s.retryLoop.block)}` },
    {
      kind: "COST_SPIKE",
      on: s.costSpike.enabled,
      text: `${s.costSpike.perCallLimitUsd === null ? "no per-call limit" : `one LLM call over ${displayUsd(s.costSpike.perCallLimitUsd)} (${breaker(s.costSpike.blockPerCall)})`}, or an execution over ${s.costSpike.factor}× its agent's median run (${breaker(s.costSpike.block)})`,
    },
    { kind: "CONTEXT_GROWTH", on: s.contextGrowth.enabled, text: `a call's input ${s.contextGrowth.factor}× the execution's first and ≥ ${s.contextGrowth.minInputTokens.toLocaleString("en-US")} tokens — ${breaker(s.contextGrowth.block)}` },
    {
      kind: "VELOCITY",
      on: s.velocity.enabled,
      text: `a minute of the org's or an agent's spend ${s.velocity.limitUsdPerMinute ? `over ${displayUsd(s.velocity.limitUsdPerMinute)}, or ` : ""}${s.velocity.factor}× its 24-hour average (when ≥ ${displayUsd(s.velocity.minUsdPerMinute)}) — alerts only`,
    },
    { kind: "MODEL_MISUSE", on: s.modelMisuse.enabled, text: `an agent calling a model ${s.modelMisuse.priceFactor}× pricier than the one it uses ${s.modelMisuse.usualSharePercent} % of the time — alerts only` },
  ];
}
