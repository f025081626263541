import Link from "next/link";
import type { TModelPrice, TModelUsage } from "@/lib/pricing/models-in-use";
import { shortDate } from "@/components/ui/format";
import { Usd } from "@/components/ui/usd";
import { count, perMtok, plural, tokens } from "./format";

// Prices in use: each model called in the range, the price a call gets now and where it comes
// from, and what its calls cost. Biggest spend first.

const th = "px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400";
const td = "px-3 py-2 align-top";
// The model column stays in view while a phone scrolls the table sideways.
const stickyBg = "sticky left-0 z-10 bg-white dark:bg-slate-900";
const sticky = `${stickyBg} text-slate-900 dark:text-slate-100`;

export function SourceBadge({ price, timezone }: { price: TModelPrice | null; timezone: string }) {
  if (!price) {
    return (
      <span className="inline-flex items-center whitespace-nowrap rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/40 dark:text-amber-200" data-testid="price-source">
        No price — counts $0
      </span>
    );
  }
  if (price.source === "OVERRIDE" && price.override) {
    const o = price.override;
    return (
      <span className="block">
        <span className="inline-flex whitespace-nowrap rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-medium text-indigo-900 dark:bg-indigo-900/50 dark:text-indigo-200" data-testid="price-source">
          Your price
        </span>
        <span className="mt-0.5 block whitespace-nowrap text-xs text-slate-500 dark:text-slate-400">
          from {shortDate(o.effectiveFrom, timezone)}
          {o.effectiveTo ? ` to ${shortDate(o.effectiveTo, timezone)}` : ""}
          {o.provider ? ` · ${o.provider} only` : ""}
        </span>
      </span>
    );
  }
  return (
    <span className="block">
      <span className="inline-flex whitespace-nowrap rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300" data-testid="price-source">
        Catalogue
      </span>
      {price.catalogModelId && <span className="mt-0.5 block whitespace-nowrap font-mono text-xs text-slate-500 dark:text-slate-400">{price.catalogModelId}</span>}
    </span>
  );
}

// A cache rate the model does not set is billed at the input rate: say so rather than show a dash.
function Rate({ rate, fallback }: { rate: string | null; fallback?: string }) {
  if (rate !== null) return <span className="tabular-nums">{perMtok(rate)}</span>;
  return (
    <span className="tabular-nums text-slate-400 dark:text-slate-500" title="No separate rate: billed at the input rate">
      {perMtok(fallback ?? null)}*
    </span>
  );
}

function Tokens({ m }: { m: TModelUsage }) {
  const exact = `input ${count(m.inputTokens)} · output ${count(m.outputTokens)} · cache read ${count(m.cacheReadTokens)} · cache write ${count(m.cacheWriteTokens)}`;
  return (
    <span className="block whitespace-nowrap tabular-nums" title={exact}>
      {tokens(m.inputTokens)} in · {tokens(m.outputTokens)} out
      {m.cacheReadTokens + m.cacheWriteTokens > 0 && (
        <span className="block text-xs text-slate-500 dark:text-slate-400">
          {tokens(m.cacheReadTokens)} cache read · {tokens(m.cacheWriteTokens)} write
        </span>
      )}
    </span>
  );
}

export function ModelPricesTable(props: {
  models: TModelUsage[];
  timezone: string;
  totalUsd: string;
  totalCalls: number;
  noModel: { calls: number; costUsd: string } | null;
  repriceHref: (model: string) => string | null;
}) {
  const { models, timezone } = props;
  const anyFallback = models.some((m) => m.price && (m.price.cacheReadMtok === null || m.price.cacheWriteMtok === null));
  const anyTiers = models.some((m) => m.price && m.price.tierThresholds.length > 0);
  return (
    <div>
      <table className="w-full min-w-[56rem] text-sm text-slate-900 dark:text-slate-100" data-testid="model-prices">
        <thead>
          <tr className="border-b border-slate-100 dark:border-slate-800">
            <th className={`${th} ${stickyBg}`} rowSpan={2}>Model</th>
            <th className={th} rowSpan={2}>Price from</th>
            <th className={`${th} pb-0 text-center normal-case tracking-normal`} colSpan={4}>USD per 1M tokens</th>
            <th className={`${th} text-right`} rowSpan={2}>Calls</th>
            <th className={th} rowSpan={2}>Tokens</th>
            <th className={`${th} text-right`} rowSpan={2}>Spend</th>
          </tr>
          <tr className="border-b border-slate-200 dark:border-slate-700">
            <th className={`${th} pt-1`}>Input</th>
            <th className={`${th} pt-1`}>Output</th>
            <th className={`${th} pt-1`}>Cache read</th>
            <th className={`${th} pt-1`}>Cache write</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {models.map((m) => {
            const reprice = m.price && m.unpricedCalls > 0 ? props.repriceHref(m.model) : null;
            return (
              <tr key={m.model} data-testid="model-row" data-model={m.model}>
                <td className={`${td} ${sticky} max-w-[10rem] sm:max-w-none`}>
                  <span className="block break-all font-mono text-[13px] font-medium">{m.model}</span>
                  {m.provider && <span className="block text-xs text-slate-500 dark:text-slate-400">{m.provider}</span>}
                  {/* On a phone the spend column is a long scroll away: say it here too. */}
                  <span className="mt-0.5 block text-xs font-medium tabular-nums sm:hidden">
                    <Usd value={m.costUsd} /> · {plural(m.calls, "call")}
                  </span>
                </td>
                <td className={td}>
                  <SourceBadge price={m.price} timezone={timezone} />
                  {!m.price && m.unpricedCalls < m.calls && (
                    <span className="mt-1 block text-xs text-slate-500 dark:text-slate-400">
                      {count(m.unpricedCalls)} of {plural(m.calls, "call")} at $0; the rest reported a cost
                    </span>
                  )}
                  {m.price && m.unpricedCalls > 0 && (
                    <span className="mt-1 block text-xs text-amber-800 dark:text-amber-300">
                      {plural(m.unpricedCalls, "call")} still at $0 —{" "}
                      {reprice ? (
                        <Link href={reprice} className="underline underline-offset-2 hover:text-amber-950 focus-visible:outline-2 focus-visible:outline-orange-500 dark:hover:text-amber-100">
                          reprice
                        </Link>
                      ) : (
                        "an admin can reprice them"
                      )}
                    </span>
                  )}
                </td>
                <td className={td}>{m.price ? <Rate rate={m.price.inputMtok} /> : <span className="text-slate-400">—</span>}</td>
                <td className={td}>{m.price ? <Rate rate={m.price.outputMtok} /> : <span className="text-slate-400">—</span>}</td>
                <td className={td}>{m.price ? <Rate rate={m.price.cacheReadMtok} fallback={m.price.inputMtok} /> : <span className="text-slate-400">—</span>}</td>
                <td className={td}>
                  {m.price ? <Rate rate={m.price.cacheWriteMtok} fallback={m.price.inputMtok} /> : <span className="text-slate-400">—</span>}
                  {m.price && m.price.tierThresholds.length > 0 && <span className="block text-xs text-slate-500 dark:text-slate-400">†</span>}
                </td>
                <td className={`${td} text-right tabular-nums`}>{count(m.calls)}</td>
                <td className={td}>
                  <Tokens m={m} />
                </td>
                <td className={`${td} text-right font-medium tabular-nums`} data-testid="model-spend">
                  <Usd value={m.costUsd} />
                </td>
              </tr>
            );
          })}
          {props.noModel && (
            <tr className="text-slate-500 dark:text-slate-400">
              <td className={`${td} ${sticky} text-slate-500 dark:text-slate-400`} colSpan={6}>
                Calls naming no model (tool calls): only a cost they report counts
              </td>
              <td className={`${td} text-right tabular-nums`}>{count(props.noModel.calls)}</td>
              <td className={td} />
              <td className={`${td} text-right tabular-nums`}>
                <Usd value={props.noModel.costUsd} />
              </td>
            </tr>
          )}
        </tbody>
        <tfoot>
          <tr className="border-t border-slate-200 font-semibold dark:border-slate-700">
            <td className={`${td} ${sticky}`} colSpan={6}>
              Total
            </td>
            <td className={`${td} text-right tabular-nums`}>{count(props.totalCalls)}</td>
            <td className={td} />
            <td className={`${td} text-right tabular-nums`} data-testid="models-total">
              <Usd value={props.totalUsd} />
            </td>
          </tr>
        </tfoot>
      </table>
      {(anyFallback || anyTiers) && (
        <p className="px-3 pb-1 pt-2 text-xs text-slate-500 dark:text-slate-400">
          {anyFallback && "* No separate cache rate: those tokens are billed at the input rate. "}
          {anyTiers && "† Long-context pricing: a call with a larger prompt is billed at the catalogue's higher tier."}
        </p>
      )}
    </div>
  );
}
