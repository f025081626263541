import type { ReactNode } from "react";
import { requireOrgPage } from "@/lib/auth/session";
import { userOrgs } from "@/lib/auth/membership";
import { OrgNav } from "@/components/nav/org-nav";
import { signOutAction } from "./actions";

export default async function OrgLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const orgs = await userOrgs(access.userId);
  return (
    <div className="min-h-screen">
      <OrgNav
        current={{ slug: access.org.slug, name: access.org.name }}
        orgs={orgs.map((m) => ({ slug: m.org.slug, name: m.org.name }))}
        role={access.role}
        userEmail={access.user.email ?? ""}
        signOut={signOutAction}
      />
      {children}
    </div>
  );
}
