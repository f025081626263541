import { describeAudit, type TAuditInput, type TAuditLookup } from "./describe";

export type TAuditRow = TAuditInput & { id: string; createdAt: string; actorKnown: boolean; actorId: string | null };

// Server-rendered, newest first. A null actor is the operator CLI (npm run admin).
export function AuditTable({ entries, lookup, timezone }: { entries: TAuditRow[]; lookup: TAuditLookup; timezone: string }) {
  if (entries.length === 0) {
    return (
      <p className="px-3 py-6 text-sm text-slate-500">
        Nothing recorded yet. Issuing or revoking keys and changing teams, cost centers or members is recorded here, with who did it and when.
      </p>
    );
  }
  const when = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  return (
    <table className="w-full text-sm">
      <thead>
        <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
          <th className="px-3 py-2 font-medium">Time</th>
          <th className="px-3 py-2 font-medium">Actor</th>
          <th className="px-3 py-2 font-medium">Action</th>
          <th className="px-3 py-2 font-medium">Target</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => {
          const { summary, target } = describeAudit(e, lookup);
          return (
            <tr key={e.id} className="border-t border-slate-100 align-top" data-testid="audit-row" data-action={e.action}>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums text-slate-600" title={e.createdAt}>{when.format(new Date(e.createdAt))}</td>
              <td className="px-3 py-2">
                {e.actorId === null ? (
                  <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">operator CLI</span>
                ) : e.actorKnown ? (
                  <span className="text-slate-900">{e.actorEmail ?? "(no email)"}</span>
                ) : (
                  <span className="italic text-slate-400">deleted user</span>
                )}
              </td>
              <td className="px-3 py-2 text-slate-900" title={e.action}>{summary}</td>
              <td className="px-3 py-2 text-slate-600">
                {target ? (
                  <>
                    <span className="mr-1.5 text-xs uppercase tracking-wide text-slate-400">{target.kind}</span>
                    <span className="font-mono text-xs text-slate-700">{target.label}</span>
                  </>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
