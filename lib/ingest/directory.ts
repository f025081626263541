import { pool } from "../db";
import type { TPriceOverride } from "../pricing";

// What ingest needs to know about an org to attribute and price events: its teams, cost centers
// and price overrides. Cached briefly per process; a slug or code the cache does not know is looked
// up at once (one indexed query per request), so a team created a moment ago is found.
export type TOrgDirectory = {
  teamsBySlug: Map<string, { id: string; costCenterId: string | null }>;
  teamCostCenter: Map<string, string | null>;
  costCentersByCode: Map<string, string>;
  priceOverrides: TPriceOverride[];
  loadedAt: number;
};

const TTL_MS = 5_000;
const directories = new Map<string, TOrgDirectory>();
const loading = new Map<string, Promise<TOrgDirectory>>();

export async function orgDirectory(orgId: string): Promise<TOrgDirectory> {
  const cached = directories.get(orgId);
  if (cached && Date.now() - cached.loadedAt < TTL_MS) return cached;
  let pending = loading.get(orgId);
  if (!pending) {
    pending = loadDirectory(orgId).finally(() => loading.delete(orgId));
    loading.set(orgId, pending);
  }
  const directory = await pending;
  directories.set(orgId, directory);
  return directory;
}

async function loadDirectory(orgId: string): Promise<TOrgDirectory> {
  const db = pool();
  const [teams, costCenters, overrides] = await Promise.all([
    db.query(`SELECT id, slug, "costCenterId" FROM "Team" WHERE "orgId" = $1`, [orgId]),
    db.query(`SELECT id, code FROM "CostCenter" WHERE "orgId" = $1`, [orgId]),
    db.query(
      `SELECT provider, model, "effectiveFrom", "inputMtok"::text, "outputMtok"::text, "cacheReadMtok"::text,
              "cacheWriteMtok"::text, "reasoningMtok"::text
         FROM "ModelPrice" WHERE "orgId" = $1 ORDER BY "effectiveFrom"`,
      [orgId],
    ),
  ]);
  return {
    teamCostCenter: new Map(teams.rows.map((t) => [t.id as string, t.costCenterId as string | null])),
    teamsBySlug: new Map(teams.rows.map((t) => [t.slug as string, { id: t.id as string, costCenterId: t.costCenterId as string | null }])),
    costCentersByCode: new Map(costCenters.rows.map((c) => [c.code as string, c.id as string])),
    priceOverrides: overrides.rows as TPriceOverride[],
    loadedAt: Date.now(),
  };
}

// Looks up slugs / codes missing from the cached directory and adds those that exist.
export async function lookUpMissing(
  orgId: string,
  directory: TOrgDirectory,
  teamSlugs: ReadonlySet<string>,
  costCenterCodes: ReadonlySet<string>,
): Promise<void> {
  const db = pool();
  const [teams, costCenters] = await Promise.all([
    teamSlugs.size
      ? db.query(`SELECT id, slug, "costCenterId" FROM "Team" WHERE "orgId" = $1 AND slug = ANY($2::text[])`, [orgId, [...teamSlugs]])
      : null,
    costCenterCodes.size
      ? db.query(`SELECT id, code FROM "CostCenter" WHERE "orgId" = $1 AND code = ANY($2::text[])`, [orgId, [...costCenterCodes]])
      : null,
  ]);
  for (const t of teams?.rows ?? []) {
    directory.teamsBySlug.set(t.slug, { id: t.id, costCenterId: t.costCenterId });
    directory.teamCostCenter.set(t.id, t.costCenterId);
  }
  for (const c of costCenters?.rows ?? []) directory.costCentersByCode.set(c.code, c.id);
}

export function forgetDirectory(orgId?: string): void {
  if (orgId) directories.delete(orgId);
  else directories.clear();
}
