import { createHash, timingSafeEqual } from "node:crypto";
import { toErrorWebResponse } from "../api/errors";
import { DomainError, notFound } from "../errors";
import { runTick } from "./runner";

// POST /api/cron/tick for external schedulers (a platform cron, a Kubernetes CronJob): runs one job
// tick, exactly as the in-process timer does (same advisory lock, so it never doubles a tick in
// progress). Authorization: Bearer <CRON_SECRET>. Without CRON_SECRET the endpoint does not exist
// (404): an unset secret must not mean "anyone may trigger jobs".
export async function handleCronTick(req: Request): Promise<Response> {
  try {
    // Read on every call (not through the cached env()), so a rotated secret applies at once.
    const secret = process.env.CRON_SECRET || undefined;
    if (!secret) throw notFound();
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1]?.trim();
    if (!given || !sameSecret(given, secret)) {
      throw new DomainError("unauthorized", "Missing or invalid cron secret", undefined, { "www-authenticate": 'Bearer realm="cron"' });
    }
    const result = await runTick();
    return Response.json(result, { status: 200, headers: { "cache-control": "no-store" } });
  } catch (err) {
    return toErrorWebResponse(err);
  }
}

// Constant-time comparison; hashing first gives equal lengths and hides the secret's length.
function sameSecret(given: string, secret: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
