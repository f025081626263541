import { prisma } from "../db";

// Reads behind /dev/mailbox: the emails captured while RESEND_API_KEY is unset. Not a tenant table
// (dev and test only), so no orgId filter.

export type TCapturedEmailSummary = { id: string; to: string[]; from: string; subject: string; createdAt: Date };
export type TCapturedEmail = TCapturedEmailSummary & { html: string; text: string };

const MAX_LIMIT = 500;

// Newest first. `to` matches a recipient's address case-insensitively, also inside "Name <address>".
export async function listCapturedEmails(options: { to?: string; limit?: number } = {}): Promise<TCapturedEmailSummary[]> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), MAX_LIMIT);
  const address = options.to?.trim().toLowerCase();
  if (!address) {
    return prisma().capturedEmail.findMany({
      select: { id: true, to: true, from: true, subject: true, createdAt: true },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
    });
  }
  return prisma().$queryRaw<TCapturedEmailSummary[]>`
    SELECT id, "to", "from", subject, "createdAt"
    FROM "CapturedEmail"
    WHERE EXISTS (
      SELECT 1 FROM unnest("to") AS t(recipient)
      WHERE lower(btrim(recipient)) = ${address}
         OR lower(substring(recipient from '<([^<>]+)>\\s*$')) = ${address}
    )
    ORDER BY "createdAt" DESC, id DESC
    LIMIT ${limit}`;
}

export async function getCapturedEmail(id: string): Promise<TCapturedEmail | null> {
  return prisma().capturedEmail.findUnique({ where: { id } });
}

export async function latestCapturedEmail(to?: string): Promise<TCapturedEmailSummary | null> {
  const [latest] = await listCapturedEmails({ to, limit: 1 });
  return latest ?? null;
}
