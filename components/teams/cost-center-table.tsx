"use client";

import { useState } from "react";
import { ErrorMessage } from "@/components/ui/form";
import { shortDate } from "@/components/ui/format";
import { ConfirmButton, useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { InlineRename } from "./inline-rename";

export type TCostCenterRow = {
  id: string;
  code: string;
  name: string;
  ownerEmail: string | null;
  archivedAt: string | null;
  teamSlugs: string[];
  archivedTeamCount: number;
};

export function CostCenterTable(props: {
  orgSlug: string;
  timezone: string;
  costCenters: TCostCenterRow[];
  mayManage: boolean;
  renameCostCenter: TAction<null>;
  archiveCostCenter: TAction<null>;
}) {
  const [error, setError] = useState<TActionError | null>(null);

  if (props.costCenters.length === 0) {
    return (
      <p className="px-3 py-6 text-sm text-slate-500 dark:text-slate-400">
        {props.mayManage
          ? "No cost centers yet. Create one above, then assign teams to it on the Teams page to charge their spend back."
          : "No cost centers yet. An owner or admin can create them to charge team spend back."}
      </p>
    );
  }

  return (
    <div className="space-y-3">
      <ErrorMessage error={error} />
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
            <th className="px-3 py-2 font-medium">Cost center</th>
            <th className="px-3 py-2 font-medium">Owner</th>
            <th className="px-3 py-2 font-medium">Teams</th>
            <th className="px-3 py-2 font-medium">Status</th>
            {props.mayManage && <th className="px-3 py-2"></th>}
          </tr>
        </thead>
        <tbody>
          {props.costCenters.map((cc) => (
            <CostCenterRow key={cc.id} {...props} cc={cc} onError={setError} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CostCenterRow(props: {
  orgSlug: string;
  timezone: string;
  cc: TCostCenterRow;
  mayManage: boolean;
  renameCostCenter: TAction<null>;
  archiveCostCenter: TAction<null>;
  onError: (error: TActionError | null) => void;
}) {
  const { cc } = props;
  const [pending, run] = useActionRunner(props.onError);
  const archived = cc.archivedAt !== null;
  const editable = props.mayManage && !archived;

  return (
    <tr className={`border-t border-slate-100 align-top dark:border-slate-800 ${archived ? "text-slate-400 dark:text-slate-500" : "text-slate-700 dark:text-slate-300"}`} data-testid="cost-center-row" data-code={cc.code}>
      <td className="px-3 py-2">
        {editable ? (
          <InlineRename
            value={cc.name}
            label={cc.code}
            nameClassName="font-medium text-slate-900 dark:text-slate-100"
            onSave={async (name) => {
              props.onError(null);
              return props.renameCostCenter(props.orgSlug, { costCenterId: cc.id, name });
            }}
          />
        ) : (
          <div className={archived ? "font-medium" : "font-medium text-slate-900 dark:text-slate-100"}>{cc.name}</div>
        )}
        <div className="font-mono text-xs text-slate-500 dark:text-slate-400">{cc.code}</div>
      </td>
      <td className="px-3 py-2">
        {cc.ownerEmail ? <a className="hover:text-orange-700 hover:underline dark:hover:text-orange-300" href={`mailto:${cc.ownerEmail}`}>{cc.ownerEmail}</a> : <span className="text-slate-400">—</span>}
      </td>
      <td className="px-3 py-2">
        <span className="tabular-nums">{cc.teamSlugs.length}</span>
        {cc.teamSlugs.length > 0 && <div className="font-mono text-xs text-slate-500 dark:text-slate-400">{cc.teamSlugs.join(", ")}</div>}
        {cc.archivedTeamCount > 0 && <div className="text-xs text-slate-400">+{cc.archivedTeamCount} archived</div>}
      </td>
      <td className="px-3 py-2">
        {archived ? (
          <span className="inline-block rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-600 dark:bg-slate-800 dark:text-slate-300">archived {shortDate(cc.archivedAt!, props.timezone)}</span>
        ) : (
          <span className="inline-block rounded bg-emerald-50 px-1.5 py-0.5 text-[11px] font-medium text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300">active</span>
        )}
      </td>
      {props.mayManage && (
        <td className="px-3 py-2 text-right whitespace-nowrap">
          {editable && (
            <ConfirmButton
              disabled={pending}
              question={`Archive cost center ${cc.code}?\n\nIts spend history stays in every report. It can no longer be chosen for teams or keys, and there is no un-archive.${
                cc.teamSlugs.length ? `\n\n${cc.teamSlugs.length} team(s) still point at it (${cc.teamSlugs.join(", ")}); move them on the Teams page if their new spend should go elsewhere.` : ""
              }`}
              onConfirm={() => run(() => props.archiveCostCenter(props.orgSlug, { costCenterId: cc.id }))}
            >
              Archive
            </ConfirmButton>
          )}
        </td>
      )}
    </tr>
  );
}
