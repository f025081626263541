"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisUsd, displayUsd, exactUsd } from "@/lib/money";

export type TShowbackBar = { label: string; code: string | null; spendUsd: string; previousUsd: string };

// The month by cost center as horizontal bars: names stay readable on a phone, the $ axis reads
// left to right. Bar lengths are floats (drawing only); the tooltip shows the exact decimal.
export function ShowbackChart({ bars, monthLabel, previousLabel }: { bars: TShowbackBar[]; monthLabel: string; previousLabel: string }) {
  const data = bars.map((b) => ({ ...b, spend: Number(b.spendUsd) }));
  const height = Math.max(200, data.length * 36 + 40);
  return (
    // currentColor carries the light / dark text colour into the SVG's ticks and grid.
    <figure className="text-slate-600 dark:text-slate-300" data-testid="showback-chart">
      <figcaption className="sr-only">Spend per cost center in {monthLabel}</figcaption>
      <div style={{ height }} className="w-full">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }} barCategoryGap={8}>
            <CartesianGrid horizontal={false} stroke="currentColor" strokeOpacity={0.15} />
            <XAxis
              type="number"
              tickFormatter={axisUsd}
              tick={{ fill: "currentColor", fontSize: 11 }}
              stroke="currentColor"
              strokeOpacity={0.3}
              allowDecimals
            />
            <YAxis
              type="category"
              dataKey="label"
              width={120}
              tick={{ fill: "currentColor", fontSize: 12 }}
              tickFormatter={(v: string) => (v.length > 18 ? `${v.slice(0, 17)}…` : v)}
              stroke="currentColor"
              strokeOpacity={0.3}
              interval={0}
            />
            <Tooltip cursor={{ fill: "currentColor", fillOpacity: 0.08 }} content={<BarTooltip previousLabel={previousLabel} />} />
            <Bar dataKey="spend" name="Spend" fill="#f97316" radius={[0, 3, 3, 0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

type TTooltipProps = { active?: boolean; payload?: readonly { payload?: TShowbackBar & { spend: number } }[]; previousLabel: string };

function BarTooltip({ active, payload, previousLabel }: TTooltipProps) {
  const bar = active ? payload?.[0]?.payload : undefined;
  if (!bar) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900">
      <div className="font-semibold text-slate-900 dark:text-slate-100">{bar.label}</div>
      {bar.code && <div className="font-mono text-slate-500 dark:text-slate-400">{bar.code}</div>}
      <div className="mt-1 tabular-nums text-slate-800 dark:text-slate-200">
        {displayUsd(bar.spendUsd)} <span className="text-slate-500 dark:text-slate-400">(exact {exactUsd(bar.spendUsd)})</span>
      </div>
      <div className="tabular-nums text-slate-500 dark:text-slate-400">
        {previousLabel}: {exactUsd(bar.previousUsd)}
      </div>
    </div>
  );
}
