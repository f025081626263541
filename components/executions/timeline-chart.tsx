"use client";

import { Area, AreaChart, Bar, CartesianGrid, Cell, ComposedChart, LabelList, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TTimelineMarker, TTimelinePoint } from "@/lib/executions/timeline";
import { axisUsd, displayUsd, exactUsd } from "@/lib/money";
import { compactTokens, integer, timeWithSeconds } from "./format";

// Colours chosen to read on white and on slate-900 alike (mid-tones), and apart from each other.
const COLOR = {
  call: "#6366f1", // indigo-500
  subagent: "#14b8a6", // teal-500
  tool: "#a855f7", // purple-500
  retry: "#f59e0b", // amber-500
  error: "#ef4444", // red-500
  tokens: "#0ea5e9", // sky-500
  cumulative: "#f97316", // orange-500
} as const;
type TCategory = "call" | "subagent" | "tool" | "retry" | "error";

// One colour per call; an error or a retry outranks what kind of call it was.
function category(p: TTimelinePoint): TCategory {
  if (p.error) return "error";
  if (p.retry) return "retry";
  if (p.kind === "tool") return "tool";
  if (p.subagent) return "subagent";
  return "call";
}

const LEGEND: [TCategory | "tokens" | "cumulative", string][] = [
  ["call", "LLM call"],
  ["subagent", "Subagent call"],
  ["tool", "Tool call"],
  ["retry", "Retry (attempt > 1), amber ▼"],
  ["error", "Error, red ▼"],
  ["tokens", "Input tokens per call (context)"],
];


function PointTooltip({ active, payload, timezone }: { active?: boolean; payload?: readonly { payload?: TTimelinePoint }[]; timezone: string }) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  const what = p.kind === "tool" ? `tool ${p.tool ?? "?"}` : (p.model ?? "unknown model");
  return (
    <div className="max-w-xs rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-lg dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
      <div className="font-semibold">Call #{p.n} · {what}</div>
      <div className="text-slate-500 dark:text-slate-400">{timeWithSeconds(p.at, timezone)}{p.subagent ? ` · subagent ${p.subagent}` : ""}</div>
      <dl className="mt-1 grid grid-cols-[auto_auto] gap-x-3 tabular-nums">
        <dt>Cost</dt><dd>{exactUsd(p.cost_usd)}</dd>
        <dt>Input tokens</dt><dd>{integer(p.context_tokens)}</dd>
        <dt>Cumulative</dt><dd>{exactUsd(p.cumulative_usd)}</dd>
        <dt>Attempt</dt><dd className={p.retry ? "font-semibold text-amber-600 dark:text-amber-400" : ""}>{p.attempt}{p.retry ? " (retry)" : ""}</dd>
      </dl>
      {p.error && <div className="mt-1 font-semibold text-red-600 dark:text-red-400">Error: {p.error_type ?? "unknown"}</div>}
    </div>
  );
}

function CumulativeTooltip({ active, payload }: { active?: boolean; payload?: readonly { payload?: TTimelinePoint }[] }) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-2 py-1 text-xs shadow dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
      After call #{p.n}: <span className="font-semibold tabular-nums">{exactUsd(p.cumulative_usd)}</span>
    </div>
  );
}

// A triangle over each retry or error, so a retry storm shows even where its bars are small.
function Marker(props: { x?: number | string; y?: number | string; width?: number | string; index?: number; points: TTimelinePoint[] }) {
  const p = props.index === undefined ? undefined : props.points[props.index];
  if (!p || !(p.retry || p.error)) return null;
  const x = Number(props.x) + Number(props.width) / 2;
  const y = Number(props.y) - 4;
  // A retry is marked as a retry even when it failed too (its bar is red): the storm reads as
  // one red failure followed by a row of amber retries.
  const fill = p.retry ? COLOR.retry : COLOR.error;
  return <path className={p.retry ? "timeline-marker-retry" : "timeline-marker-error"} d={`M${x - 4},${y - 7} L${x + 4},${y - 7} L${x},${y} Z`} fill={fill} stroke={fill} />;
}

// What the chart draws: the input-token line skips calls that read no context (tool calls, errors
// refused before the model ran), else it would drop to zero and hide the growth.
type TDrawn = TTimelinePoint & { tokens: number | null };

const MARKER_COLOR = "#dc2626"; // red-600: where a runaway began

export function TimelineChart({ points: raw, timezone, capped, totalCalls, markers = [] }: { points: TTimelinePoint[]; timezone: string; capped: boolean; totalCalls: number; markers?: TTimelineMarker[] }) {
  const points: TDrawn[] = raw.map((p) => ({ ...p, tokens: p.kind === "tool" || p.context_tokens === 0 ? null : p.context_tokens }));
  if (points.length === 0) return <p className="px-3 py-8 text-sm text-slate-500 dark:text-slate-400">This execution has no calls to draw yet.</p>;
  const retries = points.filter((p) => p.retry).length;
  const errors = points.filter((p) => p.error).length;
  const tools = points.filter((p) => p.kind === "tool").length;
  return (
    <div className="text-slate-600 dark:text-slate-400" data-testid="timeline-chart">
      <ul className="flex flex-wrap gap-x-4 gap-y-1 px-2 pb-2 text-xs" aria-label="Chart legend">
        {LEGEND.map(([key, label]) => (
          <li key={key} className="inline-flex items-center gap-1.5">
            {key === "tokens" ? (
              <span aria-hidden className="inline-block h-0.5 w-4" style={{ background: COLOR.tokens }} />
            ) : (
              <span aria-hidden className="inline-block h-3 w-3 rounded-sm" style={{ background: COLOR[key] }} />
            )}
            {label}
          </li>
        ))}
      </ul>
      <p className="px-2 pb-2 text-xs" data-testid="timeline-summary">
        {integer(points.length)} calls drawn{capped ? ` — the first ${integer(points.length)} of ${integer(totalCalls)}; the table below lists them all` : ""}
        {" · "}<span className={retries ? "font-semibold text-amber-600 dark:text-amber-400" : ""}>{retries} {retries === 1 ? "retry" : "retries"}</span>
        {" · "}<span className={errors ? "font-semibold text-red-600 dark:text-red-400" : ""}>{errors} {errors === 1 ? "error" : "errors"}</span>
        {" · "}{tools} tool {tools === 1 ? "call" : "calls"}
        {markers.map((m) => (
          <span key={m.anomalyId} data-testid="timeline-marker-note">
            {" · "}<span className="font-semibold text-red-700 dark:text-red-400">{m.kind === "RETRY_LOOP" ? "retry loop starts" : "over the per-call limit"} at call #{m.n}</span>{m.resolved ? " (resolved)" : ""}
          </span>
        ))}
      </p>
      {/* Fixed heights: the charts draw after hydration without moving anything. */}
      <div className="h-72 w-full sm:h-80" role="img" aria-label={`Cost per call (bars, dollars) and input tokens per call (line) for ${points.length} calls`}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={points} syncId="execution-timeline" margin={{ top: markers.length ? 30 : 16, right: 4, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="currentColor" strokeOpacity={0.12} vertical={false} />
            <XAxis dataKey="n" tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.4} minTickGap={16} label={{ value: "call #", position: "insideBottomRight", offset: -2, fill: "currentColor", fontSize: 11 }} height={32} />
            <YAxis yAxisId="usd" tickFormatter={axisUsd} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.4} width={52} label={{ value: "$ per call", angle: -90, position: "insideLeft", fill: "currentColor", fontSize: 11, dy: 30 }} />
            <YAxis yAxisId="tokens" orientation="right" tickFormatter={compactTokens} tick={{ fill: "currentColor", fontSize: 11 }} stroke={COLOR.tokens} strokeOpacity={0.6} width={48} label={{ value: "input tokens", angle: 90, position: "insideRight", fill: "currentColor", fontSize: 11, dy: -40 }} />
            <Tooltip content={(props) => <PointTooltip active={props.active} payload={props.payload as readonly { payload?: TTimelinePoint }[]} timezone={timezone} />} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} isAnimationActive={false} />
            <Bar yAxisId="usd" dataKey="cost" name="Cost per call" minPointSize={2} isAnimationActive={false}>
              {points.map((p) => <Cell key={p.n} fill={COLOR[category(p)]} />)}
              <LabelList dataKey="n" content={(props) => <Marker x={props.x} y={props.y} width={props.width} index={props.index} points={points} />} />
            </Bar>
            {markers.map((m) => (
              <ReferenceLine
                key={m.anomalyId}
                yAxisId="usd"
                x={m.n}
                stroke={MARKER_COLOR}
                strokeWidth={2}
                strokeDasharray={m.resolved ? "4 3" : undefined}
                ifOverflow="extendDomain"
                // Above the plot, not inside it: inside, it ran into the retry markers over the bars on a phone.
                label={{ value: `▼ ${m.label}`, position: "top", fill: MARKER_COLOR, fontSize: 11, fontWeight: 600 }}
                className="timeline-loop-marker"
              />
            ))}
            <Line yAxisId="tokens" dataKey="tokens" name="Input tokens" type="linear" connectNulls stroke={COLOR.tokens} strokeWidth={2} dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <div className="mt-3 flex items-center gap-1.5 px-2 text-xs">
        <span aria-hidden className="inline-block h-0.5 w-4" style={{ background: COLOR.cumulative }} />
        Cumulative cost — {displayUsd(points[points.length - 1].cumulative_usd)} after call #{points[points.length - 1].n}
      </div>
      <div className="h-36 w-full" role="img" aria-label="Cumulative cost after each call, in dollars">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={points} syncId="execution-timeline" margin={{ top: 8, right: 56, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="currentColor" strokeOpacity={0.12} vertical={false} />
            <XAxis dataKey="n" tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.4} minTickGap={16} height={24} />
            <YAxis tickFormatter={axisUsd} tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.4} width={52} />
            <Tooltip content={(props) => <CumulativeTooltip active={props.active} payload={props.payload as readonly { payload?: TTimelinePoint }[]} />} isAnimationActive={false} />
            <Area dataKey="cumulative" name="Cumulative cost" type="stepAfter" stroke={COLOR.cumulative} fill={COLOR.cumulative} fillOpacity={0.15} strokeWidth={2} isAnimationActive={false} />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
