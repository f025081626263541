"use client";

import { useState } from "react";
import { Usd } from "@/components/ui/usd";
import { Button, ErrorMessage } from "@/components/ui/form";
import { ConfirmButton, useActionRunner, type TAction, type TActionError } from "@/components/ui/action";
import { shortDateTime } from "@/components/ui/format";
import { SecretReveal } from "./secret-reveal";

// What this table shows of a key (lib/keys/manage.ts listKeys returns it).
export type TKeyRow = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  team: string | null;
  teamId: string | null;
  costCenter: string | null;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  state: string;
  spendThisMonthUsd: string;
};

const STATE_STYLE: Record<string, string> = {
  active: "bg-emerald-50 text-emerald-700",
  revoked: "bg-rose-50 text-rose-700",
  expired: "bg-slate-100 text-slate-600",
};

export function KeyTable(props: {
  orgSlug: string;
  // Dates show in the org's zone, as on every other page.
  timezone: string;
  keys: TKeyRow[];
  manageableTeamIds: string[] | null;
  mayManage: boolean;
  revokeKey: TAction<null>;
  rotateKey: TAction<{ secret: string }>;
}) {
  const [error, setError] = useState<TActionError | null>(null);
  const [pending, run] = useActionRunner(setError);
  const [rotated, setRotated] = useState<string | null>(null);

  if (props.keys.length === 0) return <p className="px-3 py-6 text-sm text-slate-500">No keys yet.</p>;
  const when = (iso: string | null) => (iso ? shortDateTime(iso, props.timezone) : "never");
  const mayTouch = (k: TKeyRow) => props.mayManage && k.state === "active" && (props.manageableTeamIds === null || (k.teamId !== null && props.manageableTeamIds.includes(k.teamId)));

  return (
    <div className="space-y-3">
      {rotated && <SecretReveal secret={rotated} onDone={() => setRotated(null)} />}
      <ErrorMessage error={error} />
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
            <th className="px-3 py-2 font-medium">Key</th>
            <th className="px-3 py-2 font-medium">Team</th>
            <th className="px-3 py-2 font-medium">Scopes</th>
            <th className="px-3 py-2 font-medium">Created by</th>
            <th className="px-3 py-2 font-medium">Last used</th>
            <th className="px-3 py-2 text-right font-medium">Spend this month</th>
            <th className="px-3 py-2"></th>
          </tr>
        </thead>
        <tbody>
          {props.keys.map((k) => (
            <tr key={k.id} className="border-t border-slate-100 align-top" data-testid="key-row" data-prefix={k.prefix}>
              <td className="px-3 py-2">
                <div className="font-medium">{k.name}</div>
                <div className="font-mono text-xs text-slate-500">{k.prefix}…</div>
                <span className={`mt-1 inline-block rounded px-1.5 py-0.5 text-[11px] font-medium ${STATE_STYLE[k.state]}`}>{k.state}</span>
                {k.expiresAt && k.state === "active" && <span className="ml-1 text-[11px] text-slate-500">until {when(k.expiresAt)}</span>}
              </td>
              <td className="px-3 py-2 text-slate-600">{k.team ?? "—"}{k.costCenter ? <div className="text-xs">{k.costCenter}</div> : null}</td>
              <td className="px-3 py-2 text-slate-600">{k.scopes.join(", ")}</td>
              <td className="px-3 py-2 text-slate-600">{k.createdBy}<div className="text-xs">{when(k.createdAt)}</div></td>
              <td className="px-3 py-2 text-slate-600">{when(k.lastUsedAt)}</td>
              <td className="px-3 py-2 text-right font-medium tabular-nums"><Usd value={k.spendThisMonthUsd} /></td>
              <td className="px-3 py-2 text-right whitespace-nowrap">
                {mayTouch(k) && (
                  <>
                    <Button
                      variant="secondary"
                      disabled={pending}
                      onClick={() => {
                        const grace = window.prompt("Keep the old secret valid for how many hours (0–24)?", "1");
                        if (grace === null) return;
                        run(() => props.rotateKey(props.orgSlug, { keyId: k.id, graceHours: grace }), (data) => setRotated(data.secret));
                      }}
                    >
                      Rotate
                    </Button>{" "}
                    <ConfirmButton
                      disabled={pending}
                      question={`Revoke ${k.name} (${k.prefix}…)? Agents using it stop working within a second.`}
                      onConfirm={() => run(() => props.revokeKey(props.orgSlug, { keyId: k.id }))}
                    >
                      Revoke
                    </ConfirmButton>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
