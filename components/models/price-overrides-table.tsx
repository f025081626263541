import type { TModelPriceRow } from "@/lib/pricing/price-overrides";
import { shortDateTime } from "@/components/ui/format";
import { perMtok } from "./format";

// The org's own prices, newest first per model: each applies from its date until a later one for
// the same model replaces it. Never edited in place, so the history stays true.

const th = "px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400";
const td = "px-3 py-2 align-top tabular-nums";
const stickyBg = "sticky left-0 z-10 bg-white dark:bg-slate-900";
const sticky = `${stickyBg} text-slate-900 dark:text-slate-100`;

export function PriceOverridesTable({ prices, timezone, mayManage }: { prices: TModelPriceRow[]; timezone: string; mayManage: boolean }) {
  if (prices.length === 0) {
    return (
      <p className="px-3 py-4 text-sm text-slate-500 dark:text-slate-400">
        No prices of your own yet: the catalogue prices every model it knows.{" "}
        {mayManage ? "Add one below for a model it does not know, or for a rate you negotiated." : "An owner or admin can add one for a model it does not know."}
      </p>
    );
  }
  return (
    <table className="w-full min-w-[48rem] text-sm text-slate-900 dark:text-slate-100" data-testid="price-overrides">
      <thead>
        <tr className="border-b border-slate-200 dark:border-slate-700">
          <th className={`${th} ${stickyBg}`}>Model</th>
          <th className={th}>Applies from</th>
          <th className={th}>Until</th>
          <th className={th}>Input</th>
          <th className={th}>Output</th>
          <th className={th}>Cache read</th>
          <th className={th}>Cache write</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {prices.map((p) => (
          <tr key={p.id} data-testid="override-row" data-model={p.model}>
            <td className={`px-3 py-2 align-top ${sticky} max-w-[10rem] sm:max-w-none`}>
              <span className="block break-all font-mono text-[13px] font-medium">{p.model}</span>
              <span className="block text-xs text-slate-500 dark:text-slate-400">{p.provider ? `${p.provider} only` : "any provider"}</span>
            </td>
            <td className={`${td} whitespace-nowrap`}>{shortDateTime(p.effectiveFrom, timezone)}</td>
            <td className={`${td} whitespace-nowrap`}>
              {p.effectiveTo ? shortDateTime(p.effectiveTo, timezone) : <span className="font-medium text-emerald-700 dark:text-emerald-400">in force</span>}
            </td>
            <td className={td}>{perMtok(p.inputMtok)}</td>
            <td className={td}>{perMtok(p.outputMtok)}</td>
            <td className={td}>{p.cacheReadMtok ? perMtok(p.cacheReadMtok) : <span className="text-slate-400 dark:text-slate-500">as input</span>}</td>
            <td className={td}>{p.cacheWriteMtok ? perMtok(p.cacheWriteMtok) : <span className="text-slate-400 dark:text-slate-500">as input</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
