// Turns an audit entry into words for the audit log page. Pure: the page passes in whatever it
// looked up (names of teams, cost centers, keys, members by id), so this never touches the DB.
export type TAuditLookup = {
  teams: Map<string, string>; // id → slug
  costCenters: Map<string, string>; // id → code
  keys: Map<string, { name: string; prefix: string }>;
  members: Map<string, string>; // membership id → email
  orgSlug: string;
};

export type TAuditInput = {
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
  actorEmail: string | null;
};

const str = (details: unknown, key: string): string | null => {
  if (!details || typeof details !== "object" || Array.isArray(details)) return null;
  const value = (details as Record<string, unknown>)[key];
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : null;
};

const role = (value: string | null) => (value ? value.toLowerCase() : "?");
const quote = (value: string | null) => (value === null ? "?" : `“${value}”`);

function keyLabel(name: string | null, prefix: string | null): string {
  if (name && prefix) return `${name} (${prefix}…)`;
  return name ?? (prefix ? `${prefix}…` : "a key");
}

// The target as a kind and the identifier people know it by (key prefix, team slug, code, email).
function targetOf(entry: TAuditInput, lookup: TAuditLookup): { kind: string; label: string } | null {
  const { targetType, targetId, details } = entry;
  if (!targetType) return null;
  switch (targetType) {
    case "VirtualKey": {
      const key = targetId ? lookup.keys.get(targetId) : undefined;
      const prefix = key?.prefix ?? str(details, "prefix") ?? str(details, "oldPrefix");
      return { kind: "key", label: prefix ? `${prefix}…` : (key?.name ?? str(details, "name") ?? "?") };
    }
    case "Team":
      return { kind: "team", label: (targetId && lookup.teams.get(targetId)) ?? str(details, "slug") ?? "?" };
    case "CostCenter":
      return { kind: "cost center", label: (targetId && lookup.costCenters.get(targetId)) ?? str(details, "code") ?? "?" };
    case "Membership":
      return { kind: "member", label: (targetId && lookup.members.get(targetId)) ?? str(details, "email") ?? entry.actorEmail ?? "(removed)" };
    case "Invitation":
      return { kind: "invitation", label: str(details, "email") ?? "?" };
    case "Organization":
      return { kind: "organization", label: str(details, "slug") ?? lookup.orgSlug };
    case "EmailOutbox":
      return { kind: "alert email", label: str(details, "to") ?? "?" };
    case "WebhookDelivery":
      return { kind: "alert webhook", label: str(details, "to") ?? "?" };
    case "Budget":
      return { kind: "budget", label: budgetLabel(details) };
    case "anomaly":
      return { kind: "anomaly", label: str(details, "executionId") ?? targetId ?? "?" };
    case "execution":
      return { kind: "execution", label: targetId ?? "?" };
    case "ModelPrice":
    case "Model":
      return { kind: "model", label: str(details, "model") ?? targetId ?? "?" };
    default:
      return { kind: targetType, label: targetId ?? "" };
  }
}

// A budget as its audit details name it: its name, else its scope ("team budget", "org budget").
function budgetLabel(details: unknown): string {
  const after = details && typeof details === "object" && "after" in details ? (details as { after: unknown }).after : details;
  return str(after, "name") ?? `${(str(after, "scope") ?? "a").toLowerCase().replace("_", " ")} budget`;
}

function budgetTerms(details: unknown): string {
  const amount = str(details, "amountUsd");
  const period = str(details, "period");
  return `$${amount ?? "?"} ${period === "TOTAL" ? "in total" : `per ${(period ?? "?").toLowerCase()}`}${str(details, "enforcement") === "BLOCK" ? ", blocking" : ""}`;
}

export function describeAudit(entry: TAuditInput, lookup: TAuditLookup): { summary: string; target: { kind: string; label: string } | null } {
  const d = entry.details;
  const team = () => (entry.targetId && lookup.teams.get(entry.targetId)) ?? str(d, "slug") ?? "a team";
  const costCenter = () => (entry.targetId && lookup.costCenters.get(entry.targetId)) ?? str(d, "code") ?? "a cost center";
  const ccCode = (id: string | null) => (id ? (lookup.costCenters.get(id) ?? "a removed cost center") : "no cost center");
  const key = () => {
    const known = entry.targetId ? lookup.keys.get(entry.targetId) : undefined;
    return keyLabel(str(d, "name") ?? known?.name ?? null, str(d, "prefix") ?? known?.prefix ?? null);
  };

  let summary: string;
  switch (entry.action) {
    case "org.created":
      summary = `created the organization ${str(d, "slug") ?? lookup.orgSlug}`;
      break;
    case "key.issued":
      summary = `issued key ${key()}`;
      break;
    case "key.revoked":
      summary = `revoked key ${key()}`;
      break;
    case "key.rotated": {
      const known = entry.targetId ? lookup.keys.get(entry.targetId) : undefined;
      const grace = Number(str(d, "graceHours") ?? 0);
      const name = known?.name ? `${known.name} ` : "";
      summary = `rotated key ${name}(${str(d, "oldPrefix") ?? "?"}… → ${str(d, "newPrefix") ?? "?"}…); ${
        grace > 0 ? `old secret valid ${grace} more hour${grace === 1 ? "" : "s"}` : "old secret revoked at once"
      }`;
      break;
    }
    case "team.created":
      summary = `created team ${team()}`;
      break;
    case "team.renamed":
      summary = `renamed team ${team()} from ${quote(str(d, "from"))} to ${quote(str(d, "to"))}`;
      break;
    case "team.archived":
      summary = `archived team ${team()}`;
      break;
    case "team.cost_center_changed":
      summary = `moved team ${team()} from ${ccCode(str(d, "from"))} to ${ccCode(str(d, "to"))}`;
      break;
    case "cost_center.created":
      summary = `created cost center ${costCenter()}`;
      break;
    case "cost_center.renamed":
      summary = `renamed cost center ${costCenter()} from ${quote(str(d, "from"))} to ${quote(str(d, "to"))}`;
      break;
    case "cost_center.archived":
      summary = `archived cost center ${costCenter()}`;
      break;
    case "member.invited":
      summary = `invited ${str(d, "email") ?? "someone"} as ${role(str(d, "role"))}`;
      break;
    case "member.invitation_revoked":
      summary = `withdrew the invitation to ${str(d, "email") ?? "someone"}`;
      break;
    case "member.joined":
      summary = `joined as ${role(str(d, "role"))}`;
      break;
    case "member.role_changed":
      summary = `changed the role of ${str(d, "email") ?? "a member"} from ${role(str(d, "from"))} to ${role(str(d, "to"))}`;
      break;
    case "member.removed":
      summary = `removed ${str(d, "email") ?? "a member"}`;
      break;
    case "member.left":
      summary = "left the organization";
      break;
    case "webhook.url_changed": {
      const to = str(d, "to");
      const from = str(d, "from");
      summary = to ? (from ? `changed the alert webhook from ${from} to ${to}` : `set the alert webhook to ${to}`) : "removed the alert webhook";
      break;
    }
    case "webhook.secret_rotated":
      summary = "rotated the webhook signing secret";
      break;
    case "alert.delivery_resent":
      summary = `resent a failed alert ${str(d, "channel") === "webhook" ? "webhook" : "email"} to ${str(d, "to") ?? "?"}`;
      break;
    case "budget.created":
      summary = `created budget ${quote(budgetLabel(d))} (${budgetTerms(d)})`;
      break;
    case "budget.changed": {
      const before = d && typeof d === "object" ? (d as { before?: unknown }).before : null;
      const after = d && typeof d === "object" ? (d as { after?: unknown }).after : null;
      summary = `changed budget ${quote(budgetLabel(d))}: ${budgetTerms(before)} → ${budgetTerms(after)}`;
      break;
    }
    case "budget.archived":
      summary = "archived a budget";
      break;
    case "model_price.added":
      summary = `added a price for ${str(d, "model") ?? "a model"}${str(d, "provider") ? ` (${str(d, "provider")})` : ""} from ${(str(d, "effectiveFrom") ?? "?").slice(0, 10)}: $${str(d, "inputMtok") ?? "?"} input, $${str(d, "outputMtok") ?? "?"} output per 1M tokens`;
      break;
    case "model.repriced":
      summary = `repriced ${str(d, "eventsRepriced") ?? "?"} calls of ${str(d, "model") ?? "a model"} (${(str(d, "from") ?? "?").slice(0, 10)} – ${(str(d, "to") ?? "?").slice(0, 10)}): $${str(d, "oldTotalUsd") ?? "?"} → $${str(d, "newTotalUsd") ?? "?"}`;
      break;
    case "execution.resumed":
      summary = `resumed blocked execution ${entry.targetId ?? "?"}${Number(str(d, "resolvedAnomalies") ?? 0) > 0 ? `, resolving ${str(d, "resolvedAnomalies")} ${str(d, "resolvedAnomalies") === "1" ? "anomaly" : "anomalies"}` : ""}`;
      break;
    case "anomaly.acknowledged":
    {
      const kind = (str(d, "kind") ?? "").toLowerCase().replace("_", " ");
      summary = `acknowledged ${kind ? `a ${kind}` : "an"} anomaly${str(d, "executionId") ? ` in execution ${str(d, "executionId")}` : ""}`;
      break;
    }
    case "anomaly.settings_changed": {
      const changed = d && typeof d === "object" && !Array.isArray(d) ? Object.entries(d as Record<string, { from?: unknown; to?: unknown }>) : [];
      const words = changed.map(([name, c]) => `${name} ${JSON.stringify(c?.from ?? null)} → ${JSON.stringify(c?.to ?? null)}`);
      summary = `changed runaway detection: ${words.join(", ") || "no change"}`;
      break;
    }
    default:
      summary = entry.action.replace(/[._]/g, " ");
  }
  return { summary, target: targetOf(entry, lookup) };
}
