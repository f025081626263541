import type { Role } from "../generated/prisma/enums";

// What each role may do (issue: VIEWER reads; MEMBER also issues keys for its own teams; ADMIN
// manages teams, cost centers, budgets, keys, members; OWNER also billing and deleting the org).
export const PERMISSIONS = {
  "org.read": ["OWNER", "ADMIN", "MEMBER", "VIEWER"],
  "key.issue-own-team": ["OWNER", "ADMIN", "MEMBER"],
  "key.manage": ["OWNER", "ADMIN"],
  "team.manage": ["OWNER", "ADMIN"],
  "cost-center.manage": ["OWNER", "ADMIN"],
  "budget.manage": ["OWNER", "ADMIN"],
  // Approving or denying an agent's ask for more budget (the emailed link's page).
  "approval.decide": ["OWNER", "ADMIN"],
  // Model price overrides and repricing stored calls (the models page).
  "pricing.manage": ["OWNER", "ADMIN"],
  // The alert webhook and its signing secret (settings), resending a failed alert delivery.
  "alerts.manage": ["OWNER", "ADMIN"],
  "member.manage": ["OWNER", "ADMIN"],
  // Saying "seen" on an anomaly (the anomalies page): anyone who runs agents, not viewers.
  "anomaly.acknowledge": ["OWNER", "ADMIN", "MEMBER"],
  // Runaway detection's thresholds and the circuit breaker (settings).
  "anomaly.settings": ["OWNER", "ADMIN"],
  // Letting a blocked execution run again (the anomalies and execution pages).
  "execution.resume": ["OWNER", "ADMIN"],
  "billing.manage": ["OWNER"],
  "org.delete": ["OWNER"],
} as const satisfies Record<string, readonly Role[]>;

export type TPermission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: TPermission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export const ROLES: readonly Role[] = ["OWNER", "ADMIN", "MEMBER", "VIEWER"];
