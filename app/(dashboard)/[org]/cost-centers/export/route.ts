import { currentUser } from "@/lib/auth/session";
import { showbackExportResponse } from "@/lib/showback/export";

// The month's showback as CSV (lib/showback/csv.ts), for any member of the org, by session.
export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const url = new URL(request.url);
  const user = await currentUser();
  return showbackExportResponse({ userId: user?.id ?? null, orgSlug: org, month: url.searchParams.get("month"), path: `${url.pathname}${url.search}` });
}
