import { displayUsd, exactUsd } from "@/lib/money";
import type { TChange } from "@/lib/showback/monthly";

// Change vs the previous month. More spend is the warning colour, less the calm one — and the
// arrow and sign say it too, so colour is never the only signal.
export function Change({ change, previousUsd, previousLabel, compact = false }: { change: TChange; previousUsd: string; previousLabel: string; compact?: boolean }) {
  const title = `${previousLabel}: ${exactUsd(previousUsd)}; change ${change.usd.startsWith("-") ? "" : "+"}${exactUsd(change.usd)}`;
  if (change.kind === "none") {
    return <span className="text-slate-400 dark:text-slate-500" title={`No spend in ${previousLabel} or this month`}>—</span>;
  }
  if (change.kind === "new") {
    return (
      <span title={title} className="whitespace-nowrap">
        <span className="rounded bg-sky-100 px-1.5 py-0.5 text-[11px] font-semibold uppercase tracking-wide text-sky-800 dark:bg-sky-900/60 dark:text-sky-200">new</span>
        {!compact && <span className="ml-1.5 text-xs text-slate-500 dark:text-slate-400">none in {previousLabel}</span>}
      </span>
    );
  }
  if (change.kind === "flat") return <span className="text-slate-500 dark:text-slate-400" title={title}>no change</span>;
  const up = change.kind === "up";
  const amount = displayUsd(change.usd.replace(/^-/, ""));
  return (
    <span title={title} className={`whitespace-nowrap tabular-nums ${up ? "text-rose-700 dark:text-rose-300" : "text-emerald-700 dark:text-emerald-300"}`}>
      <span aria-hidden>{up ? "▲" : "▼"}</span> {up ? "+" : "−"}
      {amount}
      {change.percent !== null && <span className="ml-1 text-xs">({up ? "+" : "−"}{change.percent.replace(/^-/, "")}%)</span>}
      <span className="sr-only">{up ? " more than" : " less than"} {previousLabel}</span>
    </span>
  );
}
