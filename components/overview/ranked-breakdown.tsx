"use client";

import Link from "next/link";
import { useState } from "react";
import { Usd } from "@/components/ui/usd";

// Spend of the range ranked by one dimension at a time (tabs); each row opens the overview
// filtered by it. All tabs arrive with the page (one SQL pass computes them), so switching is
// instant and survives the 10-second refresh.

export type TRankedTab = {
  id: string;
  label: string;
  unattributed: string;
  groups: number;
  rows: { key: string | null; href: string | null; costUsd: string; calls: number; share: number }[];
};

export function RankedBreakdown({ tabs }: { tabs: TRankedTab[] }) {
  const [active, setActive] = useState(tabs[0]?.id);
  const tab = tabs.find((t) => t.id === active) ?? tabs[0];
  return (
    <div>
      <div role="tablist" aria-label="Break spend down by" className="flex gap-1 overflow-x-auto px-2 pb-2 text-sm">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            type="button"
            aria-selected={t.id === tab.id}
            aria-controls={`ranked-${t.id}`}
            data-testid={`ranked-tab-${t.id}`}
            onClick={() => setActive(t.id)}
            className={`whitespace-nowrap rounded-md px-2.5 py-1 focus-visible:outline-2 focus-visible:outline-orange-500 ${
              t.id === tab.id ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
            }`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id={`ranked-${tab.id}`} role="tabpanel" className="min-h-[16rem]">
        {tab.rows.length === 0 ? (
          <p className="px-3 py-6 text-sm text-slate-500 dark:text-slate-400">No spend in this range.</p>
        ) : (
          <table className="w-full text-sm" data-testid="ranked-table" data-dimension={tab.id}>
            <thead>
              <tr className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
                <th className="px-3 py-2 font-medium">{tab.label}</th>
                <th className="px-3 py-2 text-right font-medium">Calls</th>
                <th className="px-3 py-2 text-right font-medium">Spend</th>
              </tr>
            </thead>
            <tbody>
              {tab.rows.map((row) => (
                <tr key={row.key ?? ""} className="border-t border-slate-100 dark:border-slate-800" data-testid="ranked-row" data-key={row.key ?? ""}>
                  <td className="max-w-0 px-3 py-1.5">
                    {row.href ? (
                      <Link href={row.href} className="block truncate font-medium text-slate-900 hover:underline focus-visible:outline-2 focus-visible:outline-orange-500 dark:text-slate-100" title={`Show only ${tab.label.toLowerCase()} ${row.key}`}>
                        {row.key}
                      </Link>
                    ) : (
                      <span className="block truncate italic text-slate-500 dark:text-slate-400">{tab.unattributed}</span>
                    )}
                    <div className="mt-1 h-1.5 rounded bg-slate-100 dark:bg-slate-800">
                      <div className="h-1.5 rounded bg-orange-500" style={{ width: `${Math.max(1, row.share)}%` }} />
                    </div>
                  </td>
                  <td className="w-20 px-3 py-1.5 text-right tabular-nums text-slate-600 dark:text-slate-300">{row.calls.toLocaleString("en-US")}</td>
                  <td className="w-24 px-3 py-1.5 text-right font-medium tabular-nums" data-testid="ranked-cost" data-usd={row.costUsd}>
                    <Usd value={row.costUsd} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {tab.groups > tab.rows.length ? <p className="px-3 pt-2 text-xs text-slate-500 dark:text-slate-400">Top {tab.rows.length} of {tab.groups}.</p> : null}
      </div>
    </div>
  );
}
