import { percentLabel, STATE_STYLE, type TBudgetState } from "./format";

// Spent against the limit (0–100 % of the bar; a budget over it fills the bar red), the alert
// thresholds below 100 % as ticks, and the projected period end as a dashed outline.
export function BudgetBar(props: { percent: number; state: TBudgetState; thresholds: number[]; projectedPercent?: number | null; label: string }) {
  const filled = Math.min(Math.max(props.percent, 0), 100);
  const projected = props.projectedPercent != null ? Math.min(props.projectedPercent, 100) : null;
  const style = STATE_STYLE[props.state];
  return (
    <div
      role="meter"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={filled}
      aria-valuetext={`${percentLabel(props.percent)} of the limit, ${style.label.toLowerCase()}`}
      data-testid="budget-bar"
      data-state={props.state}
      className="relative h-3 w-full overflow-hidden rounded-full bg-slate-100"
    >
      {projected !== null && projected > filled && (
        <div
          className={`absolute inset-y-0 left-0 rounded-full border-2 border-dashed ${props.projectedPercent! >= 100 ? "border-rose-400" : "border-slate-400"}`}
          style={{ width: `${projected}%` }}
          title={`Projected at the period's end: ${percentLabel(props.projectedPercent!)}`}
        />
      )}
      <div className={`absolute inset-y-0 left-0 rounded-full ${style.bar}`} style={{ width: `${filled}%` }} />
      {props.thresholds
        .filter((t) => t < 100)
        .map((t) => (
          <div key={t} className="absolute inset-y-0 w-0.5 bg-white/90 mix-blend-normal" style={{ left: `calc(${t}% - 1px)` }} title={`Alert at ${t}%`}>
            <div className="h-full w-px bg-slate-500/60" />
          </div>
        ))}
    </div>
  );
}
