import { Usd } from "@/components/ui/usd";
import type { TSpendGroupRow } from "@/lib/reports/spend";

// Share of the month per team / agent, with a bar so the biggest spender stands out at a glance.
export function SpendBreakdown({ rows, total, emptyLabel, unattributedLabel }: {
  rows: TSpendGroupRow[];
  total: string;
  emptyLabel: string;
  unattributedLabel: string;
}) {
  if (rows.length === 0) return <p className="px-3 py-6 text-sm text-slate-500">{emptyLabel}</p>;
  const totalNumber = Number(total) || 1; // display ratio only, never money arithmetic
  return (
    <table className="w-full text-sm">
      <thead>
        <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
          <th className="px-3 py-2 font-medium">Name</th>
          <th className="px-3 py-2 text-right font-medium">Calls</th>
          <th className="px-3 py-2 text-right font-medium">Spend</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key ?? ""} className="border-t border-slate-100">
            <td className="px-3 py-2">
              <div className={row.key ? "font-medium" : "italic text-slate-500"}>{row.key ?? unattributedLabel}</div>
              <div className="mt-1 h-1.5 rounded bg-slate-100">
                <div className="h-1.5 rounded bg-orange-500" style={{ width: `${Math.max(1, (Number(row.cost_usd) / totalNumber) * 100)}%` }} />
              </div>
            </td>
            <td className="px-3 py-2 text-right tabular-nums text-slate-600">{row.calls.toLocaleString("en-US")}</td>
            <td className="px-3 py-2 text-right font-medium tabular-nums"><Usd value={row.cost_usd} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
