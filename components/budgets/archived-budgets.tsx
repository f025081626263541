import type { TArchivedBudget } from "@/lib/budgets/overview";
import { shortDate } from "@/components/ui/format";
import { Usd } from "@/components/ui/usd";
import { PERIOD_WORD } from "./format";

// Archived budgets no longer count, alert or block; they are listed so their alerts stay explained.
export function ArchivedBudgets({ budgets, timezone, highlight }: { budgets: TArchivedBudget[]; timezone: string; highlight: string | null }) {
  return (
    <table className="w-full text-sm" data-testid="archived-budgets">
      <thead>
        <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
          <th className="px-3 py-2 font-medium">Budget</th>
          <th className="px-3 py-2 font-medium">Covers</th>
          <th className="px-3 py-2 text-right font-medium">Limit</th>
          <th className="px-3 py-2 font-medium">Archived</th>
        </tr>
      </thead>
      <tbody>
        {budgets.map((b) => (
          <tr key={b.id} id={`budget-${b.id}`} className={`border-t border-slate-100 text-slate-500 ${b.id === highlight ? "bg-orange-50" : ""}`} data-testid="archived-budget">
            <td className="px-3 py-2 font-medium text-slate-700">{b.name}</td>
            <td className="px-3 py-2">{b.target.label}</td>
            <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
              <Usd value={b.amountUsd} /> {PERIOD_WORD[b.period]}
              {b.enforcement === "BLOCK" ? ", blocking" : ""}
            </td>
            <td className="whitespace-nowrap px-3 py-2">{shortDate(b.archivedAt, timezone)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
