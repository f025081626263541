import { toErrorWebResponse } from "../api/errors";
import { orgAccess } from "../auth/membership";
import { can } from "../auth/permissions";
import { forbidden, notFound } from "../errors";
import { showbackCsv, showbackCsvFilename } from "./csv";
import { monthParam } from "./month";
import { monthlyShowback } from "./monthly";

// GET /[org]/cost-centers/export?month=YYYY-MM for a signed-in person (the route handler passes the
// session's user): any member may download — showback is for finance, who are often viewers. A
// person who is not a member gets the same 404 as for an org that does not exist, as pages do; a
// malformed month is the client's mistake (400 in the API's error shape), never a 500.
export async function showbackExportResponse(args: { userId: string | null; orgSlug: string; month: string | null; path: string; now?: Date }): Promise<Response> {
  try {
    if (!args.userId) {
      // A bookmarked link opened while signed out: sign in, then come back to the download.
      return new Response(null, { status: 303, headers: { location: `/sign-in?callbackUrl=${encodeURIComponent(args.path)}`, "cache-control": "no-store" } });
    }
    const access = await orgAccess(args.userId, args.orgSlug);
    if (!access) throw notFound("No such organization");
    if (!can(access.role, "org.read")) throw forbidden("Your role cannot read this organization's spend");
    const month = monthParam(args.month, access.org.timezone, args.now);
    const showback = await monthlyShowback(access.org, month);
    return new Response(showbackCsv(showback), {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${showbackCsvFilename(access.org.slug, showback.month)}"`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    return toErrorWebResponse(err);
  }
}
