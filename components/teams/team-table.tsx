"use client";

import { useState } from "react";
import { Usd } from "@/components/ui/usd";
import { ErrorMessage } from "@/components/ui/form";
import { shortDate } from "@/components/ui/format";
import { ConfirmButton, useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { InlineRename } from "./inline-rename";

export type TTeamRow = {
  id: string;
  slug: string;
  name: string;
  costCenterId: string | null;
  costCenter: { code: string; name: string; archived: boolean } | null;
  archivedAt: string | null;
  spendUsd: string;
  calls: number;
};

export function TeamTable(props: {
  orgSlug: string;
  timezone: string;
  teams: TTeamRow[];
  costCenters: { id: string; code: string; name: string }[];
  unattributedUsd: string | null;
  mayManage: boolean;
  updateTeam: TAction<null>;
  archiveTeam: TAction<null>;
}) {
  const [error, setError] = useState<TActionError | null>(null);

  if (props.teams.length === 0) {
    return (
      <p className="px-3 py-6 text-sm text-slate-500">
        {props.mayManage
          ? "No teams yet. Create one above, then tag events with its slug (or issue keys for it) to see spend per team."
          : "No teams yet. An owner or admin can create them; spend then shows up per team here."}
      </p>
    );
  }

  return (
    <div className="space-y-3">
      <ErrorMessage error={error} />
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
            <th className="px-3 py-2 font-medium">Team</th>
            <th className="px-3 py-2 font-medium">Cost center</th>
            <th className="px-3 py-2 font-medium">Status</th>
            <th className="px-3 py-2 text-right font-medium">Spend this month</th>
            {props.mayManage && <th className="px-3 py-2"></th>}
          </tr>
        </thead>
        <tbody>
          {props.teams.map((team) => (
            <TeamRow key={team.id} {...props} team={team} onError={setError} />
          ))}
          {props.unattributedUsd && (
            <tr className="border-t border-slate-100 text-slate-500">
              <td className="px-3 py-2 italic" colSpan={3}>Not attributed to any team</td>
              <td className="px-3 py-2 text-right tabular-nums"><Usd value={props.unattributedUsd} /></td>
              {props.mayManage && <td></td>}
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function TeamRow(props: {
  orgSlug: string;
  timezone: string;
  team: TTeamRow;
  costCenters: { id: string; code: string; name: string }[];
  mayManage: boolean;
  updateTeam: TAction<null>;
  archiveTeam: TAction<null>;
  onError: (error: TActionError | null) => void;
}) {
  const { team } = props;
  const [pending, run] = useActionRunner(props.onError);
  const [costCenterId, setCostCenterId] = useState(team.costCenterId ?? "");
  const archived = team.archivedAt !== null;
  const editable = props.mayManage && !archived;
  // An archived cost center cannot be picked again, but the team may still point at it.
  const currentIsListed = !team.costCenterId || props.costCenters.some((c) => c.id === team.costCenterId);

  return (
    <tr className={`border-t border-slate-100 align-top ${archived ? "text-slate-400" : ""}`} data-testid="team-row" data-slug={team.slug}>
      <td className="px-3 py-2">
        {editable ? (
          <InlineRename
            value={team.name}
            label={team.slug}
            onSave={async (name) => {
              props.onError(null);
              return props.updateTeam(props.orgSlug, { teamId: team.id, name });
            }}
          />
        ) : (
          <div className={archived ? "font-medium" : "font-medium text-slate-900"}>{team.name}</div>
        )}
        <div className="font-mono text-xs text-slate-500">{team.slug}</div>
      </td>
      <td className="px-3 py-2">
        {editable ? (
          <select
            aria-label={`Cost center of ${team.slug}`}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus:border-orange-500 focus:outline-none focus:ring-1 focus:ring-orange-500 disabled:opacity-50"
            value={costCenterId}
            disabled={pending}
            onChange={(e) => {
              const previous = costCenterId;
              const next = e.target.value;
              setCostCenterId(next);
              run(async () => {
                const result = await props.updateTeam(props.orgSlug, { teamId: team.id, costCenterId: next });
                if (!result.ok) setCostCenterId(previous);
                return result;
              });
            }}
          >
            <option value="">No cost center</option>
            {!currentIsListed && team.costCenter && (
              <option value={team.costCenterId ?? ""} disabled>{team.costCenter.code} — {team.costCenter.name} (archived)</option>
            )}
            {props.costCenters.map((c) => (
              <option key={c.id} value={c.id}>{c.code} — {c.name}</option>
            ))}
          </select>
        ) : team.costCenter ? (
          <span>
            <span className="font-mono text-xs">{team.costCenter.code}</span> {team.costCenter.name}
            {team.costCenter.archived && <span className="ml-1 text-xs text-slate-400">(archived)</span>}
          </span>
        ) : (
          <span className="text-slate-400">—</span>
        )}
      </td>
      <td className="px-3 py-2">
        {archived ? (
          <span className="inline-block rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-600" title={`Archived ${shortDate(team.archivedAt!, props.timezone)}`}>
            archived {shortDate(team.archivedAt!, props.timezone)}
          </span>
        ) : (
          <span className="inline-block rounded bg-emerald-50 px-1.5 py-0.5 text-[11px] font-medium text-emerald-700">active</span>
        )}
      </td>
      <td className="px-3 py-2 text-right tabular-nums">
        <Usd value={team.spendUsd} className={archived ? "" : "font-medium text-slate-900"} />
        {team.calls > 0 && <div className="text-xs text-slate-500">{team.calls.toLocaleString("en-US")} {team.calls === 1 ? "call" : "calls"}</div>}
      </td>
      {props.mayManage && (
        <td className="px-3 py-2 text-right whitespace-nowrap">
          {editable && (
            <ConfirmButton
              disabled={pending}
              question={`Archive team ${team.slug}?\n\nIts spend history stays in every report, and events that still name it keep counting for it. It can no longer be chosen for new keys, and there is no un-archive.`}
              onConfirm={() => run(() => props.archiveTeam(props.orgSlug, { teamId: team.id }))}
            >
              Archive
            </ConfirmButton>
          )}
        </td>
      )}
    </tr>
  );
}
