"use client";

import { useState } from "react";
import { Button, ErrorMessage } from "@/components/ui/form";
import { ConfirmButton, useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { ROLE_HINT, ROLE_LABEL, ROLE_ORDER, ROLE_STYLE, type Role } from "./roles";

export type TMemberRow = {
  id: string;
  email: string | null;
  name: string | null;
  role: Role;
  teamIds: string[];
  joined: string;
};

export type TTeamOption = { id: string; slug: string; name: string; archived: boolean };

type TProps = {
  orgSlug: string;
  members: TMemberRow[];
  teams: TTeamOption[];
  viewer: { role: Role; membershipId: string };
  mayManage: boolean;
  changeRole: TAction<null>;
  removeMember: TAction<null>;
  setMemberTeams: TAction<null>;
};

export function MemberTable(props: TProps) {
  const [error, setError] = useState<TActionError | null>(null);
  return (
    <div className="space-y-3">
      <ErrorMessage error={error} />
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
            <th className="px-3 py-2 font-medium">Member</th>
            <th className="px-3 py-2 font-medium">Role</th>
            <th className="px-3 py-2 font-medium">Teams</th>
            <th className="px-3 py-2 font-medium">Joined</th>
            {props.mayManage && <th className="px-3 py-2"></th>}
          </tr>
        </thead>
        <tbody>
          {props.members.map((m) => (
            <MemberRow key={m.id} {...props} member={m} onError={setError} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RoleBadge({ role }: { role: Role }) {
  return (
    <span className={`inline-block rounded px-1.5 py-0.5 text-[11px] font-medium ${ROLE_STYLE[role]}`} title={ROLE_HINT[role]} data-testid="member-role">
      {ROLE_LABEL[role].toLowerCase()}
    </span>
  );
}

function MemberRow(props: TProps & { member: TMemberRow; onError: (error: TActionError | null) => void }) {
  const { member, viewer } = props;
  const [pending, run] = useActionRunner(props.onError);
  const [role, setRole] = useState<Role>(member.role);
  const [editingTeams, setEditingTeams] = useState(false);
  const isYou = member.id === viewer.membershipId;
  // Only an owner may touch an owner (the server enforces this too).
  const mayTouch = props.mayManage && (member.role !== "OWNER" || viewer.role === "OWNER");
  const assignable = ROLE_ORDER.filter((r) => r !== "OWNER" || viewer.role === "OWNER");
  const who = member.email ?? member.name ?? "this member";
  const teamById = new Map(props.teams.map((t) => [t.id, t]));
  const memberTeams = member.teamIds.map((id) => teamById.get(id)).filter((t): t is TTeamOption => !!t);

  return (
    <tr className="border-t border-slate-100 align-top" data-testid="member-row" data-email={member.email ?? ""}>
      <td className="px-3 py-2">
        <div className="font-medium text-slate-900">
          {member.email ?? <span className="italic text-slate-500">no email</span>}
          {isYou && <span className="ml-2 rounded bg-orange-50 px-1.5 py-0.5 text-[11px] font-medium text-orange-700">you</span>}
        </div>
        {member.name && <div className="text-xs text-slate-500">{member.name}</div>}
      </td>
      <td className="px-3 py-2">
        {mayTouch ? (
          <select
            aria-label={`Role of ${who}`}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus:border-orange-500 focus:outline-none focus:ring-1 focus:ring-orange-500 disabled:opacity-50"
            value={role}
            disabled={pending}
            title={ROLE_HINT[role]}
            data-testid="member-role-select"
            onChange={(e) => {
              const next = e.target.value as Role;
              if (isYou && !window.confirm(`Change your own role to ${ROLE_LABEL[next].toLowerCase()}? You may lose access to this page.`)) return;
              const previous = role;
              setRole(next);
              run(async () => {
                const result = await props.changeRole(props.orgSlug, { membershipId: member.id, role: next });
                if (!result.ok) setRole(previous);
                return result;
              });
            }}
          >
            {assignable.map((r) => (
              <option key={r} value={r}>{ROLE_LABEL[r]}</option>
            ))}
          </select>
        ) : (
          <RoleBadge role={member.role} />
        )}
      </td>
      <td className="px-3 py-2">
        {editingTeams ? (
          <TeamPicker
            teams={props.teams.filter((t) => !t.archived || member.teamIds.includes(t.id))}
            selected={member.teamIds}
            pending={pending}
            onCancel={() => setEditingTeams(false)}
            onSave={(teamIds) => run(() => props.setMemberTeams(props.orgSlug, { membershipId: member.id, teamIds }), () => setEditingTeams(false))}
          />
        ) : (
          <div className="flex flex-wrap items-center gap-1">
            {memberTeams.length === 0 && <span className="text-slate-400">No teams</span>}
            {memberTeams.map((t) => (
              <span key={t.id} className={`rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs ${t.archived ? "text-slate-400 line-through" : "text-slate-700"}`} title={t.name}>
                {t.slug}
              </span>
            ))}
            {props.mayManage && (
              <button
                type="button"
                className="ml-1 text-xs text-slate-400 underline-offset-2 hover:text-orange-600 hover:underline"
                onClick={() => setEditingTeams(true)}
                aria-label={`Edit teams of ${who}`}
                data-testid="member-edit-teams"
              >
                Edit
              </button>
            )}
          </div>
        )}
      </td>
      <td className="px-3 py-2 text-slate-600">{member.joined}</td>
      {props.mayManage && (
        <td className="px-3 py-2 text-right whitespace-nowrap">
          {mayTouch && !isYou && (
            <ConfirmButton
              disabled={pending}
              testId="member-remove"
              question={`Remove ${who} from the organization?\n\nThey lose access at once. Keys they issued keep working until you revoke them on the Keys page.`}
              onConfirm={() => run(() => props.removeMember(props.orgSlug, { membershipId: member.id }))}
            >
              Remove
            </ConfirmButton>
          )}
        </td>
      )}
    </tr>
  );
}

function TeamPicker(props: { teams: TTeamOption[]; selected: string[]; pending: boolean; onSave: (teamIds: string[]) => void; onCancel: () => void }) {
  const [chosen, setChosen] = useState(() => new Set(props.selected));
  if (props.teams.length === 0) {
    return (
      <div className="space-y-2 text-xs text-slate-500">
        No teams to assign yet; create them on the Teams page.
        <div><Button type="button" variant="secondary" onClick={props.onCancel}>Close</Button></div>
      </div>
    );
  }
  return (
    <div className="space-y-2" data-testid="member-team-picker">
      <div className="max-h-48 space-y-1 overflow-y-auto rounded-md border border-slate-200 p-2">
        {props.teams.map((t) => (
          <label key={t.id} className="flex items-center gap-2">
            <input
              type="checkbox"
              value={t.id}
              checked={chosen.has(t.id)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.target.checked) next.add(t.id);
                else next.delete(t.id);
                setChosen(next);
              }}
              className="accent-orange-600"
            />
            <span className="font-mono text-xs">{t.slug}</span>
            <span className="text-xs text-slate-500">{t.name}{t.archived ? " (archived)" : ""}</span>
          </label>
        ))}
      </div>
      <div className="flex gap-2">
        <Button type="button" disabled={props.pending} onClick={() => props.onSave([...chosen])} data-testid="member-teams-save">
          {props.pending ? "Saving…" : "Save teams"}
        </Button>
        <Button type="button" variant="secondary" disabled={props.pending} onClick={props.onCancel}>Cancel</Button>
      </div>
    </div>
  );
}
