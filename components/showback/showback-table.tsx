"use client";

import { Fragment, useState } from "react";
import { Usd } from "@/components/ui/usd";
import type { TShowback, TShowbackLine, TShowbackRow } from "@/lib/showback/monthly";
import { Change } from "./change";

// One row per cost center (and Unassigned), each opening onto the teams and keys its spend came
// from; the total row is the org's month. Real buttons, so it works from the keyboard.
export function ShowbackTable({ showback, monthLabel, previousLabel }: { showback: TShowback; monthLabel: string; previousLabel: string }) {
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const rowKey = (r: TShowbackRow) => r.costCenterId ?? "unassigned";
  const expandable = showback.rows.filter((r) => r.teams.length || r.keys.length);
  const allOpen = expandable.length > 0 && expandable.every((r) => open.has(rowKey(r)));
  const toggle = (key: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <div>
      {expandable.length > 0 && (
        <div className="flex justify-end px-3 pb-1">
          <button
            type="button"
            className="rounded text-xs font-medium text-slate-600 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-500 dark:text-slate-300"
            onClick={() => setOpen(allOpen ? new Set() : new Set(expandable.map(rowKey)))}
            data-testid="showback-toggle-all"
          >
            {allOpen ? "Collapse all" : "Show all teams and keys"}
          </button>
        </div>
      )}
      <table className="w-full text-sm" data-testid="showback-table">
        <caption className="sr-only">Spend per cost center in {monthLabel}, with change from {previousLabel}</caption>
        <thead>
          <tr className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
            <th scope="col" className="px-3 py-2 font-medium">Cost center</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Spend</th>
            <th scope="col" className="hidden px-3 py-2 font-medium sm:table-cell">Share of total</th>
            <th scope="col" className="hidden px-3 py-2 text-right font-medium sm:table-cell">vs {previousLabel}</th>
          </tr>
        </thead>
        <tbody>
          {showback.rows.map((r) => {
            const key = rowKey(r);
            const isOpen = open.has(key);
            const hasDetail = r.teams.length > 0 || r.keys.length > 0;
            const detailId = `showback-detail-${key}`;
            const unassigned = r.costCenterId === null;
            return (
              <Fragment key={key}>
                <tr
                  className={`border-t border-slate-100 align-top dark:border-slate-800 ${r.archived ? "text-slate-500 dark:text-slate-400" : ""}`}
                  data-testid="showback-row"
                  data-code={r.code ?? ""}
                  data-spend={r.spendUsd}
                >
                  <th scope="row" className="px-3 py-2 text-left font-normal">
                    <div className="flex items-start gap-1.5">
                      {hasDetail ? (
                        <button
                          type="button"
                          aria-expanded={isOpen}
                          aria-controls={detailId}
                          onClick={() => toggle(key)}
                          className="-ml-1 mt-px flex h-5 w-5 shrink-0 items-center justify-center rounded text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-orange-500 dark:text-slate-400 dark:hover:bg-slate-800"
                          data-testid="showback-expand"
                        >
                          <span aria-hidden className={`inline-block transition-transform ${isOpen ? "rotate-90" : ""}`}>▸</span>
                          <span className="sr-only">{isOpen ? "Hide" : "Show"} teams and keys of {r.name}</span>
                        </button>
                      ) : (
                        <span className="w-4 shrink-0" />
                      )}
                      <div className="min-w-0">
                        <div className={`font-medium ${unassigned ? "italic text-slate-600 dark:text-slate-300" : "text-slate-900 dark:text-slate-100"}`}>
                          <span className="break-words">{r.name}</span>
                          {r.archived && <span className="ml-1.5 rounded bg-slate-100 px-1 py-0.5 text-[10px] font-medium uppercase text-slate-600 dark:bg-slate-800 dark:text-slate-300">archived</span>}
                        </div>
                        <div className="text-xs text-slate-500 dark:text-slate-400">
                          {unassigned ? "no cost center named" : <span className="font-mono">{r.code}</span>}
                          {detailSummary(r) && <span> · {detailSummary(r)}</span>}
                        </div>
                        {/* On a phone the change sits under the name: two columns fit 390 px, four do not. */}
                        <div className="mt-0.5 text-xs sm:hidden">
                          <Change change={r.change} previousUsd={r.previousUsd} previousLabel={previousLabel} compact />
                        </div>
                      </div>
                    </div>
                  </th>
                  <td className="px-3 py-2 text-right">
                    <Usd value={r.spendUsd} className="font-semibold tabular-nums text-slate-900 dark:text-slate-100" />
                    <div className="text-xs tabular-nums text-slate-500 sm:hidden dark:text-slate-400">{r.sharePercent !== null ? `${r.sharePercent}%` : ""}</div>
                  </td>
                  <td className="hidden px-3 py-2 sm:table-cell">
                    <ShareBar percent={r.sharePercent} />
                  </td>
                  <td className="hidden px-3 py-2 text-right sm:table-cell">
                    <Change change={r.change} previousUsd={r.previousUsd} previousLabel={previousLabel} compact />
                  </td>
                </tr>
                {hasDetail && isOpen && (
                  <>
                    <DetailHeading id={detailId} label="Teams" />
                    {r.teams.map((t) => (
                      <DetailRow key={`t-${t.teamId ?? ""}`} line={t} previousLabel={previousLabel} name={t.name} sub={t.slug ?? "calls naming no team"} muted={!t.teamId} archived={t.archived} testId="showback-team" />
                    ))}
                    {r.keys.length > 0 && <DetailHeading label="Keys" />}
                    {r.keys.map((k) => (
                      <DetailRow key={`k-${k.keyId}`} line={k} previousLabel={previousLabel} name={k.name} sub={k.prefix ? `${k.prefix}…` : k.keyId} mono archived={k.revoked} archivedLabel="revoked" testId="showback-key" />
                    ))}
                  </>
                )}
              </Fragment>
            );
          })}
        </tbody>
        <tfoot>
          <tr className="border-t-2 border-slate-300 dark:border-slate-600" data-testid="showback-total" data-spend={showback.total.spendUsd}>
            <th scope="row" className="px-3 py-2 text-left font-semibold text-slate-900 dark:text-slate-100">
              <span className="pl-5">Total</span>
              <div className="pl-5 text-xs font-normal sm:hidden">
                <Change change={showback.total.change} previousUsd={showback.total.previousUsd} previousLabel={previousLabel} compact />
              </div>
            </th>
            <td className="px-3 py-2 text-right">
              <Usd value={showback.total.spendUsd} className="font-semibold tabular-nums text-slate-900 dark:text-slate-100" />
            </td>
            <td className="hidden px-3 py-2 text-xs text-slate-500 sm:table-cell dark:text-slate-400">{showback.total.sharePercent !== null ? "100%" : ""}</td>
            <td className="hidden px-3 py-2 text-right sm:table-cell">
              <Change change={showback.total.change} previousUsd={showback.total.previousUsd} previousLabel={previousLabel} compact />
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function count(n: number, noun: string) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

// "2 teams, 3 keys" — what opening the row shows; calls that named no team are not a team.
function detailSummary(r: TShowbackRow): string {
  const teams = r.teams.filter((t) => t.teamId).length;
  return [teams ? count(teams, "team") : "", r.keys.length ? count(r.keys.length, "key") : ""].filter(Boolean).join(", ");
}

function ShareBar({ percent }: { percent: string | null }) {
  if (percent === null) return <span className="text-xs text-slate-400">—</span>;
  const width = Math.min(100, Number(percent)); // display only
  return (
    <div className="flex items-center gap-2" title={`${percent}% of the month's total`}>
      <div className="h-2 w-full min-w-16 max-w-48 rounded bg-slate-100 dark:bg-slate-800">
        <div className="h-2 rounded bg-orange-500 dark:bg-orange-400" style={{ width: `${width > 0 ? Math.max(width, 1) : 0}%` }} />
      </div>
      <span className="w-14 shrink-0 text-right text-xs tabular-nums text-slate-600 dark:text-slate-300">{percent}%</span>
    </div>
  );
}

function DetailHeading({ label, id }: { label: string; id?: string }) {
  return (
    <tr id={id} className="bg-slate-50 dark:bg-slate-800/40">
      <td colSpan={4} className="px-3 pb-0.5 pt-2 pl-10 text-[11px] font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
        {label}
      </td>
    </tr>
  );
}

function DetailRow(props: { line: TShowbackLine; previousLabel: string; name: string; sub: string; mono?: boolean; muted?: boolean; archived?: boolean; archivedLabel?: string; testId: string }) {
  const { line } = props;
  return (
    <tr className="bg-slate-50 text-slate-700 dark:bg-slate-800/40 dark:text-slate-300" data-testid={props.testId} data-spend={line.spendUsd}>
      <td className="py-1.5 pl-10 pr-3">
        <div className={props.muted ? "italic" : ""}>
          {props.name}
          {props.archived && <span className="ml-1.5 text-[10px] uppercase text-slate-500 dark:text-slate-400">{props.archivedLabel ?? "archived"}</span>}
        </div>
        <div className={`text-xs text-slate-500 dark:text-slate-400 ${props.mono ? "font-mono" : ""}`}>{props.sub}</div>
        <div className="mt-0.5 text-xs sm:hidden">
          <Change change={line.change} previousUsd={line.previousUsd} previousLabel={props.previousLabel} compact />
        </div>
      </td>
      <td className="px-3 py-1.5 text-right">
        <Usd value={line.spendUsd} className="tabular-nums" />
        <div className="text-xs tabular-nums text-slate-500 sm:hidden dark:text-slate-400">{line.sharePercent !== null ? `${line.sharePercent}%` : ""}</div>
      </td>
      <td className="hidden px-3 py-1.5 sm:table-cell">
        <ShareBar percent={line.sharePercent} />
      </td>
      <td className="hidden px-3 py-1.5 text-right text-xs sm:table-cell">
        <Change change={line.change} previousUsd={line.previousUsd} previousLabel={props.previousLabel} compact />
      </td>
    </tr>
  );
}
