import { notFound } from "next/navigation";
import { findOrgBySlug } from "../orgs/create";

// Until sign-in lands (accounts issue), dashboard pages are open in development only, so a newcomer
// sees the demo org after `npm run dev`. In production every org page is a 404 — unless
// BURNRATE_INSECURE_OPEN_DASHBOARD=1, which the e2e server sets to test a production build.
export async function orgForDashboard(slug: string) {
  const open = process.env.NODE_ENV !== "production" || process.env.BURNRATE_INSECURE_OPEN_DASHBOARD === "1";
  if (!open) notFound();
  const org = await findOrgBySlug(slug);
  if (!org) notFound();
  return org;
}
