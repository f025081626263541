// The roles as the UI knows them; the server passes Prisma's Role, which must stay assignable here.
export type Role = "OWNER" | "ADMIN" | "MEMBER" | "VIEWER";

// Mirrors lib/auth/permissions.ts for display; the server decides what each role may actually do.
export const ROLE_ORDER: readonly Role[] = ["OWNER", "ADMIN", "MEMBER", "VIEWER"];

export const ROLE_LABEL: Record<Role, string> = { OWNER: "Owner", ADMIN: "Admin", MEMBER: "Member", VIEWER: "Viewer" };

export const ROLE_HINT: Record<Role, string> = {
  OWNER: "Everything, including billing and deleting the organization",
  ADMIN: "Manages teams, cost centers, budgets, keys and members",
  MEMBER: "Reads everything; issues keys for their own teams",
  VIEWER: "Read-only",
};

export const ROLE_STYLE: Record<Role, string> = {
  OWNER: "bg-orange-50 text-orange-700",
  ADMIN: "bg-slate-900 text-white",
  MEMBER: "bg-slate-100 text-slate-700",
  VIEWER: "bg-white text-slate-500 ring-1 ring-slate-200",
};
