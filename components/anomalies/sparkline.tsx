"use client";

import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, YAxis } from "recharts";
import type { TAnomalySparkPoint } from "@/lib/anomalies/list";
import { exactUsd } from "@/lib/money";

// The cost of each of the execution's calls around the anomaly: grey before it, red for the calls
// the anomaly is about (the loop's, the call over the limit). Fixed size, drawn after hydration
// without moving anything; the numbers are in the tooltip and in the row's sentence.
const COLOR = { before: "#94a3b8", flagged: "#ef4444", other: "#6366f1" } as const;

function Tip({ active, payload }: { active?: boolean; payload?: readonly { payload?: TAnomalySparkPoint & { n: number } }[] }) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  return (
    <div className="rounded border border-slate-200 bg-white px-2 py-1 text-xs shadow dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
      {exactUsd(p.cost_usd)}{p.error ? " · error" : ""}{p.flagged ? " · in the anomaly" : ""}
    </div>
  );
}

export function Sparkline({ points, label }: { points: TAnomalySparkPoint[]; label: string }) {
  if (points.length === 0) return <div className="flex h-12 w-full items-center text-xs text-slate-400 dark:text-slate-500 sm:w-40">no calls to draw</div>;
  const data = points.map((p, n) => ({ ...p, n }));
  const firstFlagged = data.findIndex((p) => p.flagged);
  return (
    <div className="h-12 w-full sm:w-40" role="img" aria-label={label} data-testid="anomaly-sparkline">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 2, right: 0, bottom: 0, left: 0 }} barCategoryGap={1}>
          <YAxis hide domain={[0, "dataMax"]} />
          <Tooltip content={(props) => <Tip active={props.active} payload={props.payload as never} />} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} isAnimationActive={false} />
          <Bar dataKey="cost" minPointSize={2} isAnimationActive={false}>
            {data.map((p) => (
              <Cell key={p.n} fill={p.flagged ? COLOR.flagged : firstFlagged >= 0 && p.n < firstFlagged ? COLOR.before : COLOR.other} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
