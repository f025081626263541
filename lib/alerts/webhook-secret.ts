import { prisma } from "../db";
import { newWebhookSecret } from "./signature";

// The org's webhook signing secret, made at first use: by the first delivery that needs it or the
// first admin who reveals it on the settings page. COALESCE keeps the first one written when two
// replicas race, so every signature and every reveal agree.
export async function ensureWebhookSecret(orgId: string): Promise<string> {
  const rows = await prisma().$queryRaw<{ secret: string }[]>`
    UPDATE "Organization" SET "webhookSecret" = COALESCE("webhookSecret", ${newWebhookSecret()})
    WHERE id = ${orgId}
    RETURNING "webhookSecret" AS secret`;
  if (!rows[0]) throw new Error(`No organization ${orgId}`);
  return rows[0].secret;
}
