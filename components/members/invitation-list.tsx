import { shortDateTime } from "@/components/ui/format";
import type { TAction } from "@/components/ui/action";
import { RevokeInvitationButton } from "./revoke-invitation-button";
import { ROLE_HINT, ROLE_LABEL, ROLE_STYLE, type Role } from "./roles";

// Delivery of the invitation email (the outbox row): queued (maybe retrying after an error), sent, failed.
export type TInvitationEmail = { state: "queued" | "sent" | "failed"; error: string | null } | null;
export type TInvitationRow = { id: string; email: string; role: Role; invitedAt: string; expiresAt: string; emailDelivery: TInvitationEmail };

const DELIVERY_STYLE = { queued: "bg-amber-50 text-amber-800", sent: "bg-emerald-50 text-emerald-800", failed: "bg-red-50 text-red-800" } as const;

function EmailDelivery({ delivery }: { delivery: TInvitationEmail }) {
  if (!delivery) return <span className="text-slate-400">—</span>;
  const label = delivery.state === "queued" && delivery.error ? "retrying" : delivery.state;
  return (
    <div data-testid="invitation-email" data-state={delivery.state}>
      <span className={`inline-block rounded px-1.5 py-0.5 text-[11px] font-medium ${DELIVERY_STYLE[delivery.state]}`}>{label}</span>
      {delivery.error && (
        <div className="mt-1 max-w-xs truncate text-xs text-slate-500" title={delivery.error}>
          {delivery.state === "failed" ? "Not delivered: " : "Last error: "}
          {delivery.error}
        </div>
      )}
    </div>
  );
}

// Server-rendered: pending (not accepted, not expired) invitations, newest first.
export function InvitationList({ orgSlug, invitations, timezone, now, mayInvite, revokeInvitation }: {
  orgSlug: string;
  invitations: TInvitationRow[];
  timezone: string;
  now: number;
  mayInvite: boolean;
  revokeInvitation: TAction<null>;
}) {
  if (invitations.length === 0) {
    return (
      <p className="px-3 py-6 text-sm text-slate-500">
        {mayInvite ? "No pending invitations. Invite teammates by email above; they show here until they accept." : "No pending invitations. Owners and admins can invite teammates."}
      </p>
    );
  }
  return (
    <table className="w-full text-sm">
      <thead>
        <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
          <th className="px-3 py-2 font-medium">Email</th>
          <th className="px-3 py-2 font-medium">Role</th>
          <th className="px-3 py-2 font-medium">Invited</th>
          <th className="px-3 py-2 font-medium">Expires</th>
          <th className="px-3 py-2 font-medium">Delivery</th>
          {mayInvite && <th className="px-3 py-2"></th>}
        </tr>
      </thead>
      <tbody>
        {invitations.map((inv) => {
          const hoursLeft = Math.max(0, Math.round((new Date(inv.expiresAt).getTime() - now) / 3600_000));
          const left = hoursLeft >= 48 ? `in ${Math.round(hoursLeft / 24)} days` : hoursLeft >= 1 ? `in ${hoursLeft} h` : "within the hour";
          return (
            <tr key={inv.id} className="border-t border-slate-100" data-testid="invitation-row" data-email={inv.email}>
              <td className="px-3 py-2 font-medium text-slate-900">{inv.email}</td>
              <td className="px-3 py-2">
                <span className={`inline-block rounded px-1.5 py-0.5 text-[11px] font-medium ${ROLE_STYLE[inv.role]}`} title={ROLE_HINT[inv.role]}>
                  {ROLE_LABEL[inv.role].toLowerCase()}
                </span>
              </td>
              <td className="px-3 py-2 text-slate-600">{shortDateTime(inv.invitedAt, timezone)}</td>
              <td className={`px-3 py-2 ${hoursLeft < 24 ? "text-amber-700" : "text-slate-600"}`}>
                {left}
                <div className="text-xs text-slate-500">{shortDateTime(inv.expiresAt, timezone)}</div>
              </td>
              <td className="px-3 py-2">
                <EmailDelivery delivery={inv.emailDelivery} />
              </td>
              {mayInvite && (
                <td className="px-3 py-2 text-right">
                  <RevokeInvitationButton orgSlug={orgSlug} invitationId={inv.id} email={inv.email} revokeInvitation={revokeInvitation} />
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
