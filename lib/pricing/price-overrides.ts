import { z } from "zod";
import { storableText } from "../ingest/storable";
import { recordAudit } from "../audit/log";
import { pool, prisma } from "../db";
import { conflict, invalid, zodDetails } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { forgetDirectory } from "../ingest/directory";
import { formatUsd } from "../money";
import { canonicalProvider } from "./catalog";
import { toInstant, ZDayOrInstant } from "./dates";
import { validatePriceOverride, type TPriceOverride } from "./overrides";

// An org's own prices (ModelPrice rows): a model the catalogue does not know, or a negotiated rate.
// Each takes effect from a moment and lasts until a later one for the same model replaces it, so a
// price is never edited in place — history stays true and a reprice can say which price applied.
// New calls are priced with it as soon as they arrive (this process forgets its cached directory at
// once; other replicas within their 5-second cache). Calls already stored keep their cost until
// someone reprices them (./reprice.ts).

// USD per million tokens; the column is numeric(20, 9). A million dollars per million tokens is far
// beyond any real model and keeps every priced call inside the ingest's per-call bound for sane token counts.
const ZRate = z
  .string()
  .trim()
  .regex(/^\d{1,7}(\.\d{1,9})?$/, { message: "must be USD per million tokens, e.g. 3 or 0.15 (at most 9 decimals)", abort: true })
  .refine((v) => Number(v) <= 1_000_000, "must be at most 1,000,000 USD per million tokens");

const ZOptionalRate = z
  .string()
  .trim()
  .optional()
  .nullable()
  .transform((v) => v || null)
  .pipe(ZRate.nullable());

export const ZModelPriceInput = z.object({
  model: z.string().trim().min(1, "is required").max(200).superRefine(storableText),
  provider: z
    .string()
    .trim()
    .max(100)
    .superRefine(storableText)
    .optional()
    .nullable()
    .transform((v) => v || null),
  effectiveFrom: ZDayOrInstant,
  inputMtok: ZRate,
  outputMtok: ZRate,
  cacheReadMtok: ZOptionalRate,
  cacheWriteMtok: ZOptionalRate,
});
export type TModelPriceInput = z.input<typeof ZModelPriceInput>;

export type TModelPriceRow = {
  id: string;
  model: string;
  provider: string | null;
  effectiveFrom: string;
  /** When a later override for the same model (and provider, or any provider) replaces it; null = still in force. */
  effectiveTo: string | null;
  inputMtok: string;
  outputMtok: string;
  cacheReadMtok: string | null;
  cacheWriteMtok: string | null;
  createdAt: string;
};

// Adding prices for one org is serialised, so two admins cannot add the same (model, provider, from) twice.
const PRICE_LOCK = `pg_advisory_xact_lock(hashtextextended('burnrate.prices:' || $1, 0))`;

export async function addModelPrice(orgId: string, actorId: string | null, input: TModelPriceInput): Promise<TModelPriceRow> {
  const parsed = ZModelPriceInput.safeParse(input);
  if (!parsed.success) throw invalid("Invalid price", zodDetails(parsed.error));
  const data = parsed.data;
  const org = await prisma().organization.findUniqueOrThrow({ where: { id: orgId }, select: { timezone: true } });
  const effectiveFrom = await toInstant(data.effectiveFrom, org.timezone);
  const override: TPriceOverride = { ...data, effectiveFrom, reasoningMtok: null };
  const problems = validatePriceOverride(override);
  if (problems.length) throw invalid("Invalid price", problems);

  const created = await prisma().$transaction(async (tx) => {
    await tx.$queryRawUnsafe(`SELECT ${PRICE_LOCK}::text`, orgId);
    const same = await tx.$queryRawUnsafe<{ id: string; provider: string | null }[]>(
      `SELECT id, provider FROM "ModelPrice" WHERE "orgId" = $1 AND lower(model) = lower($2) AND "effectiveFrom" = $3`,
      orgId,
      data.model,
      effectiveFrom,
    );
    const key = (p: string | null) => (p ? canonicalProvider(p) : null);
    if (same.some((s) => key(s.provider) === key(data.provider))) {
      throw conflict(`A price for ${data.model}${data.provider ? ` (${data.provider})` : ""} already starts at that moment; add one from another date to replace it.`);
    }
    const row = await tx.modelPrice.create({
      data: {
        orgId,
        model: data.model,
        provider: data.provider,
        effectiveFrom,
        inputMtok: data.inputMtok,
        outputMtok: data.outputMtok,
        cacheReadMtok: data.cacheReadMtok,
        cacheWriteMtok: data.cacheWriteMtok,
      },
    });
    await recordAudit(tx, {
      orgId,
      actorId,
      action: "model_price.added",
      targetType: "ModelPrice",
      targetId: row.id,
      details: {
        model: data.model,
        provider: data.provider,
        effectiveFrom: effectiveFrom.toISOString(),
        inputMtok: data.inputMtok,
        outputMtok: data.outputMtok,
        cacheReadMtok: data.cacheReadMtok,
        cacheWriteMtok: data.cacheWriteMtok,
      },
    });
    return row;
  });
  // New calls in this process are priced with it at once (not after the directory's cache expires).
  forgetDirectory(orgId);
  const rows = await listModelPrices(orgId);
  return rows.find((r) => r.id === created.id)!;
}

/**
 * Every override of the org, newest first, with the moment each stops applying: the earliest later
 * override for the same model that takes over from it — one for the same provider or for any
 * provider (for a provider-agnostic price, only a later provider-agnostic one replaces it for all calls).
 */
export async function listModelPrices(orgId: string): Promise<TModelPriceRow[]> {
  const { rows } = await pool().query<{
    id: string;
    model: string;
    provider: string | null;
    effectiveFrom: Date;
    inputMtok: string;
    outputMtok: string;
    cacheReadMtok: string | null;
    cacheWriteMtok: string | null;
    createdAt: Date;
  }>(
    `SELECT id, model, provider, "effectiveFrom", "inputMtok"::text, "outputMtok"::text, "cacheReadMtok"::text,
            "cacheWriteMtok"::text, "createdAt"
       FROM "ModelPrice" WHERE "orgId" = $1 ORDER BY lower(model), "effectiveFrom" DESC, provider NULLS FIRST, "createdAt" DESC`,
    [orgId],
  );
  const key = (p: string | null) => (p && p.trim() ? canonicalProvider(p) : null);
  return rows.map((r) => {
    const replacedBy = rows
      .filter(
        (o) =>
          o.model.trim().toLowerCase() === r.model.trim().toLowerCase() &&
          o.effectiveFrom > r.effectiveFrom &&
          (key(o.provider) === null || key(o.provider) === key(r.provider)),
      )
      .map((o) => o.effectiveFrom.getTime());
    return {
      id: r.id,
      model: r.model,
      provider: r.provider,
      effectiveFrom: r.effectiveFrom.toISOString(),
      effectiveTo: replacedBy.length ? new Date(Math.min(...replacedBy)).toISOString() : null,
      inputMtok: formatUsd(r.inputMtok),
      outputMtok: formatUsd(r.outputMtok),
      cacheReadMtok: r.cacheReadMtok === null ? null : formatUsd(r.cacheReadMtok),
      cacheWriteMtok: r.cacheWriteMtok === null ? null : formatUsd(r.cacheWriteMtok),
      createdAt: r.createdAt.toISOString(),
    };
  });
}

/** The org's overrides as pricing reads them (fresh from the database, not the ingest's cache), with their ids. */
export async function loadPriceOverrides(orgId: string, db: Prisma.TransactionClient | ReturnType<typeof prisma> = prisma()): Promise<(TPriceOverride & { id: string })[]> {
  return db.$queryRawUnsafe<(TPriceOverride & { id: string })[]>(
    `SELECT id, provider, model, "effectiveFrom", "inputMtok"::text AS "inputMtok", "outputMtok"::text AS "outputMtok",
            "cacheReadMtok"::text AS "cacheReadMtok", "cacheWriteMtok"::text AS "cacheWriteMtok", "reasoningMtok"::text AS "reasoningMtok"
       FROM "ModelPrice" WHERE "orgId" = $1 ORDER BY "effectiveFrom"`,
    orgId,
  );
}
