import { Usd } from "@/components/ui/usd";
import type { TTimelineCall } from "@/lib/executions/timeline";
import { integer, timeWithSeconds } from "./format";

const SOURCE: Record<TTimelineCall["cost_source"], string> = {
  catalog: "catalogue price",
  override: "your price override",
  reported: "cost the client reported",
  unpriced: "no price known: counted as $0",
  none: "no cost (nothing billed)",
};

const num = (n: number) => (n === 0 ? <span className="text-slate-400 dark:text-slate-600">0</span> : integer(n));

// Every call of the execution, in time order: retries (attempt > 1) and errors stand out.
export function CallTable({ calls, timezone }: { calls: TTimelineCall[]; timezone: string }) {
  return (
    <table className="w-full text-xs" data-testid="call-table">
      <thead>
        <tr className="text-left uppercase tracking-wide text-slate-500 dark:text-slate-400">
          <th scope="col" className="px-2 py-2 text-right font-medium">#</th>
          <th scope="col" className="px-2 py-2 font-medium">Time</th>
          <th scope="col" className="px-2 py-2 font-medium">Model / tool</th>
          <th scope="col" className="px-2 py-2 text-right font-medium">Cost</th>
          <th scope="col" className="px-2 py-2 text-right font-medium">Attempt</th>
          <th scope="col" className="px-2 py-2 font-medium">Status</th>
          <th scope="col" className="px-2 py-2 text-right font-medium" title="Uncached input tokens">Input</th>
          <th scope="col" className="px-2 py-2 text-right font-medium">Cache read</th>
          <th scope="col" className="px-2 py-2 text-right font-medium">Cache write</th>
          <th scope="col" className="px-2 py-2 text-right font-medium">Output</th>
          <th scope="col" className="px-2 py-2 text-right font-medium">Reasoning</th>
          <th scope="col" className="px-2 py-2 font-medium">Source</th>
          <th scope="col" className="px-2 py-2 text-right font-medium">Latency</th>
        </tr>
      </thead>
      <tbody>
        {calls.map((c) => {
          const retry = c.attempt > 1;
          const tint = c.status === "error" ? "bg-red-50/70 dark:bg-red-950/40" : retry ? "bg-amber-50/70 dark:bg-amber-950/30" : "";
          return (
            <tr key={c.n} className={`border-t border-slate-100 dark:border-slate-800 ${tint}`} data-attempt={c.attempt} data-status={c.status}>
              <td className="px-2 py-1.5 text-right tabular-nums text-slate-500 dark:text-slate-400">{c.n}</td>
              <td className="whitespace-nowrap px-2 py-1.5 tabular-nums">{timeWithSeconds(c.at, timezone)}</td>
              <td className="whitespace-nowrap px-2 py-1.5">
                {c.kind === "tool" ? (
                  <span className="inline-flex items-center gap-1"><span className="rounded bg-purple-100 px-1 text-[10px] font-medium text-purple-800 dark:bg-purple-950 dark:text-purple-300">tool</span>{c.tool ?? "?"}</span>
                ) : (
                  <span className="font-mono">{c.model ?? "unknown"}</span>
                )}
                {c.subagent && <span className="ml-1 rounded bg-teal-100 px-1 text-[10px] font-medium text-teal-800 dark:bg-teal-950 dark:text-teal-300" title="Subagent">{c.subagent}</span>}
              </td>
              <td className="px-2 py-1.5 text-right font-medium tabular-nums"><Usd value={c.cost_usd} /></td>
              <td className={`px-2 py-1.5 text-right tabular-nums ${retry ? "font-semibold text-amber-700 dark:text-amber-400" : ""}`}>{retry ? `${c.attempt} ↻` : c.attempt}</td>
              <td className="whitespace-nowrap px-2 py-1.5">
                {c.status === "error" ? <span className="font-medium text-red-700 dark:text-red-400">error{c.error_type ? `: ${c.error_type}` : ""}</span> : <span className="text-slate-500 dark:text-slate-400">ok</span>}
              </td>
              <td className="px-2 py-1.5 text-right tabular-nums">{num(c.input_tokens)}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{num(c.cache_read_tokens)}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{num(c.cache_write_tokens)}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{num(c.output_tokens)}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{num(c.reasoning_tokens)}</td>
              <td className="whitespace-nowrap px-2 py-1.5 text-slate-500 dark:text-slate-400" title={SOURCE[c.cost_source]}>{c.cost_source}</td>
              <td className="whitespace-nowrap px-2 py-1.5 text-right tabular-nums">{c.latency_ms == null ? "—" : c.latency_ms >= 10_000 ? `${(c.latency_ms / 1000).toFixed(1)} s` : `${integer(c.latency_ms)} ms`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
