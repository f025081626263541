import { z } from "zod";
import { readJson } from "../api/http";
import { withApiKey } from "../api/with-api-key";
import { invalid, zodDetails } from "../errors";
import { endExecution } from "./end";

export const ZEndExecution = z.strictObject({
  status: z.enum(["done", "failed"]),
  outcome: z.string().trim().min(1).max(256).refine((v) => v.isWellFormed() && !v.includes("\u0000"), "must be well-formed text without NUL").nullish(),
});

// POST /api/v1/executions/{execution_id}/end  {"status":"done"|"failed","outcome"?}
export const postExecutionEnd = withApiKey({ scope: "ingest", query: z.strictObject({}) }, async ({ req, key, params }) => {
  const body = ZEndExecution.safeParse(await readJson(req, 16 * 1024));
  if (!body.success) throw invalid("Invalid request body", zodDetails(body.error));
  const execution = await endExecution(key.orgId, params.id, { status: body.data.status, outcome: body.data.outcome ?? null });
  return { status: 200, body: { execution } };
});
