import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { forbidden } from "../errors";

// The Approve / Deny links in an approval email: the approval, the decision and the link's expiry,
// signed with an HMAC keyed from the app's secret (AUTH_SECRET), so nobody can make a link for
// another approval or turn a Deny into an Approve. A link only opens the decision page; the decision
// is a POST by a signed-in owner or admin (mail scanners open links), and single use comes from
// the approval itself: the first decision wins (./decide.ts).

export const DECISIONS = ["approve", "deny"] as const;
export type TDecision = (typeof DECISIONS)[number];

// What the page and the action carry from the link.
export const ZDecisionLink = z.strictObject({
  decision: z.enum(DECISIONS),
  expires: z.coerce.number().int().positive(),
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "is not a signature"),
});
export type TDecisionLink = z.infer<typeof ZDecisionLink>;

function linkKey(): Buffer {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set: approval links cannot be signed");
  // A key of its own, derived from the app's secret: a link signature is useless for anything else.
  return createHmac("sha256", secret).update("burnrate/approval-links/v1").digest();
}

function signature(orgId: string, approvalId: string, decision: TDecision, expires: number): string {
  return createHmac("sha256", linkKey()).update(`${orgId}\n${approvalId}\n${decision}\n${expires}`).digest("base64url");
}

export function signDecision(orgId: string, approvalId: string, decision: TDecision, expiresAt: Date): TDecisionLink {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return { decision, expires, sig: signature(orgId, approvalId, decision, expires) };
}

export function decisionUrl(base: string, orgSlug: string, approvalId: string, link: TDecisionLink): string {
  const query = new URLSearchParams({ decision: link.decision, expires: String(link.expires), sig: link.sig });
  return `${base}/${encodeURIComponent(orgSlug)}/approvals/${encodeURIComponent(approvalId)}?${query}`;
}

// True when the link was made by us for this approval and decision. Its expiry is the approval's
// (checked again, atomically, when deciding); a forged or edited link is refused here.
export function isGenuineLink(orgId: string, approvalId: string, link: TDecisionLink): boolean {
  const expected = Buffer.from(signature(orgId, approvalId, link.decision, link.expires));
  const given = Buffer.from(link.sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function assertGenuineLink(orgId: string, approvalId: string, link: TDecisionLink): void {
  if (!isGenuineLink(orgId, approvalId, link)) throw forbidden("This approval link is not valid: open the link from the email as it was sent.");
}
