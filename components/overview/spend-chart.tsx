"use client";

import { Area, Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisUsd, displayUsd, exactUsd } from "@/lib/money";
import type { TChart } from "@/lib/reports/overview";

// Spend over time: stacked bars per bucket (left axis, $ per hour or day) and, when the range runs
// to now, the period's running total (right axis) with its dashed forecast to the period's end
// and the budget as a line. Colours hold in light and dark (mid-tone hues on both backgrounds).

const PALETTE = ["#f97316", "#3b82f6", "#10b981", "#a855f7", "#eab308", "#ec4899", "#14b8a6", "#94a3b8"];
const OTHER = "#94a3b8";
const CHART_HEIGHT = 320;


type TRow = Record<string, number | string | null>;

export function SpendChart({ chart, unattributedLabel, stackLabel }: { chart: TChart; unattributedLabel: string; stackLabel: string }) {
  const names = new Map(chart.series.map((s) => [s.key, s.label ?? unattributedLabel]));
  const colour = new Map(chart.series.map((s, i) => [s.key, s.key === "__other" ? OTHER : PALETTE[i % PALETTE.length]]));
  const data: TRow[] = chart.points.map((p) => ({
    tick: p.tick,
    title: p.title,
    total: p.total,
    cumulative: p.cumulative,
    forecast: p.forecast,
    ...Object.fromEntries(chart.series.map((s) => [`s:${s.key}`, p.values[s.key] ?? 0])),
  }));
  const exact = chart.points.map((p) => p.exact);
  const showPeriod = chart.period.shown;
  const rightMax = Math.max(chart.period.budgetUsd ?? 0, chart.period.projectedUsd ?? 0, ...chart.points.map((p) => p.cumulative ?? 0));
  const unit = chart.granularity === "hour" ? "$ per hour" : "$ per day";
  return (
    <div style={{ height: CHART_HEIGHT }} className="w-full text-slate-500 dark:text-slate-400" data-testid="spend-chart" role="img" aria-label={`Spend over time stacked by ${stackLabel}, ${unit}`}>
      <ResponsiveContainer width="100%" height="100%" minWidth={0}>
        <ComposedChart data={data} margin={{ top: 8, right: showPeriod ? 4 : 12, bottom: 0, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.18} vertical={false} />
          <XAxis dataKey="tick" tick={{ fill: "currentColor", fontSize: 11 }} stroke="currentColor" strokeOpacity={0.4} minTickGap={24} interval="preserveStartEnd" />
          <YAxis
            yAxisId="left"
            tickFormatter={axisUsd}
            tick={{ fill: "currentColor", fontSize: 11 }}
            stroke="currentColor"
            strokeOpacity={0.4}
            width={52}
            label={{ value: unit, angle: -90, position: "insideLeft", fill: "currentColor", fontSize: 11, style: { textAnchor: "middle" } }}
          />
          {showPeriod ? (
            <YAxis
              yAxisId="right"
              orientation="right"
              domain={[0, Math.ceil(rightMax * 1.1) || 1]}
              tickFormatter={axisUsd}
              tick={{ fill: "currentColor", fontSize: 11 }}
              stroke="currentColor"
              strokeOpacity={0.4}
              width={52}
              label={{ value: `${chart.period.label.toLowerCase()}, $`, angle: 90, position: "insideRight", fill: "currentColor", fontSize: 11, style: { textAnchor: "middle" } }}
            />
          ) : null}
          <Tooltip
            cursor={{ fill: "currentColor", fillOpacity: 0.08 }}
            content={({ active, payload }) => {
              if (!active || !payload?.length) return null;
              // By the row itself, not its tick: the repeated autumn hour has two buckets of one name.
              const row = payload[0].payload as TRow;
              const index = data.indexOf(row);
              if (index < 0) return null;
              return (
                <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs text-slate-700 shadow-lg dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200">
                  <div className="mb-1 font-semibold">{row.title}</div>
                  <div className="mb-1 tabular-nums">Total {exactUsd(String(row.total))}</div>
                  {chart.series
                    .filter((s) => Number(exact[index]?.[s.key] ?? 0) !== 0)
                    .map((s) => (
                      <div key={s.key} className="flex items-center gap-2 tabular-nums">
                        <span className="inline-block h-2 w-2 rounded-sm" style={{ background: colour.get(s.key) }} />
                        <span className="max-w-[12rem] truncate">{names.get(s.key)}</span>
                        <span className="ml-auto pl-3">{exactUsd(exact[index][s.key])}</span>
                      </div>
                    ))}
                  {row.cumulative !== null && row.cumulative !== undefined ? <div className="mt-1 border-t border-slate-200 pt-1 dark:border-slate-700">{chart.period.label}: {displayUsd(String(row.cumulative))}</div> : null}
                  {row.forecast !== null && row.forecast !== undefined && row.cumulative === null ? <div className="mt-1 border-t border-slate-200 pt-1 dark:border-slate-700">Forecast: {displayUsd(Number(row.forecast).toFixed(2))}</div> : null}
                </div>
              );
            }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} iconSize={10} />
          {chart.series.map((s) => (
            <Bar key={s.key} yAxisId="left" dataKey={`s:${s.key}`} name={names.get(s.key)} stackId="spend" fill={colour.get(s.key)} isAnimationActive={false} maxBarSize={48} />
          ))}
          {showPeriod ? (
            <>
              <Area yAxisId="right" type="linear" dataKey="cumulative" name={chart.period.label} stroke="#64748b" strokeWidth={2} fill="#64748b" fillOpacity={0.06} dot={false} isAnimationActive={false} connectNulls={false} />
              {chart.period.projectedUsd !== null ? (
                <Line yAxisId="right" type="linear" dataKey="forecast" name="Forecast" stroke="#e11d48" strokeWidth={2} strokeDasharray="6 4" dot={false} isAnimationActive={false} connectNulls={false} />
              ) : null}
              {chart.period.budgetUsd !== null ? (
                <ReferenceLine
                  yAxisId="right"
                  y={chart.period.budgetUsd}
                  stroke="#dc2626"
                  strokeWidth={1.5}
                  label={{ value: `Budget ${axisUsd(chart.period.budgetUsd)}`, position: "insideTopLeft", fill: "#dc2626", fontSize: 11 }}
                />
              ) : null}
            </>
          ) : null}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
