import Link from "next/link";
import type { TModelUsage } from "@/lib/pricing/models-in-use";
import { shortDateTime } from "@/components/ui/format";
import { count, plural, tokens } from "./format";

// Models whose calls no price applied to: stored at $0, so missing from every total, budget and
// alert. Said plainly, with what to do about it.

const th = "px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-amber-900/70 dark:text-amber-200/70";
const td = "px-3 py-2 align-top";
// The model and its action stay in view while a phone scrolls the table sideways.
const sticky = "sticky left-0 z-10 bg-amber-50 dark:bg-[#1c1208]";

export function UnpricedModels(props: {
  models: TModelUsage[];
  timezone: string;
  mayManage: boolean;
  addPriceHref: (model: string) => string;
  repriceHref: (model: string) => string;
}) {
  const calls = props.models.reduce((n, m) => n + m.unpricedCalls, 0);
  return (
    <section
      className="rounded-lg border border-amber-300 bg-amber-50 shadow-sm dark:border-amber-700/60 dark:bg-[#1c1208]"
      aria-labelledby="unpriced-title"
      data-testid="unpriced-models"
    >
      <div className="border-b border-amber-200 px-5 py-3 dark:border-amber-800/60">
        <h2 id="unpriced-title" className="text-sm font-semibold text-amber-950 dark:text-amber-100">
          Unpriced models: {plural(calls, "call")} counted at $0
        </h2>
        <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">
          Neither the catalogue nor your prices know these models, so their calls were stored at <strong>$0</strong>: the real cost is missing from every
          total, budget and alert on Burnrate. {props.mayManage ? "Add a price, then reprice their calls." : "An owner or admin can add a price and reprice them."}
        </p>
      </div>
      {/* relative: nothing positioned inside escapes the scroller onto the page. */}
      <div className="relative overflow-x-auto p-2">
        <table className="w-full min-w-[48rem] text-sm text-amber-950 dark:text-amber-50">
          <thead>
            <tr className="border-b border-amber-200 dark:border-amber-800/60">
              <th className={`${th} ${sticky}`}>Model</th>
              <th className={`${th} text-right`}>Calls at $0</th>
              <th className={`${th} text-right`}>Input tokens</th>
              <th className={`${th} text-right`}>Output tokens</th>
              <th className={`${th} text-right`}>Cache read</th>
              <th className={`${th} text-right`}>Cache write</th>
              <th className={th}>Last call</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-amber-200/70 dark:divide-amber-800/40">
            {props.models.map((m) => (
              <tr key={m.model} data-testid="unpriced-row" data-model={m.model}>
                <td className={`${td} ${sticky} max-w-[11rem] sm:max-w-none`}>
                  <span className="block break-all font-mono text-[13px] font-medium">{m.model}</span>
                  {m.provider && <span className="block text-xs text-amber-900/70 dark:text-amber-200/70">{m.provider}</span>}
                  {props.mayManage && (
                    <span className="mt-1.5 block">
                      {m.price ? (
                        <Link
                          href={props.repriceHref(m.model)}
                          className="inline-block whitespace-nowrap rounded-md border border-amber-400 bg-white px-2.5 py-1 text-xs font-medium text-amber-950 hover:bg-amber-100 focus-visible:outline-2 focus-visible:outline-orange-500 dark:border-amber-600 dark:bg-amber-900/40 dark:text-amber-50 dark:hover:bg-amber-900"
                        >
                          Priced now — reprice
                        </Link>
                      ) : (
                        <Link
                          href={props.addPriceHref(m.model)}
                          className="inline-block whitespace-nowrap rounded-md bg-amber-900 px-2.5 py-1 text-xs font-medium text-white hover:bg-amber-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500 dark:bg-amber-200 dark:text-amber-950 dark:hover:bg-amber-100"
                          data-testid="add-price-link"
                        >
                          Add a price
                        </Link>
                      )}
                    </span>
                  )}
                </td>
                <td className={`${td} text-right tabular-nums`}>
                  {count(m.unpricedCalls)}
                  {m.unpricedCalls < m.calls && <span className="block text-xs text-amber-900/70 dark:text-amber-200/70">of {count(m.calls)}</span>}
                </td>
                <td className={`${td} text-right tabular-nums`} title={count(m.inputTokens)}>{tokens(m.inputTokens)}</td>
                <td className={`${td} text-right tabular-nums`} title={count(m.outputTokens)}>{tokens(m.outputTokens)}</td>
                <td className={`${td} text-right tabular-nums`} title={count(m.cacheReadTokens)}>{tokens(m.cacheReadTokens)}</td>
                <td className={`${td} text-right tabular-nums`} title={count(m.cacheWriteTokens)}>{tokens(m.cacheWriteTokens)}</td>
                <td className={`${td} whitespace-nowrap`}>{shortDateTime(m.lastSeen, props.timezone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
