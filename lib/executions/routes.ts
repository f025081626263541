import { z } from "zod";
import { readJson } from "../api/http";
import { withApiKey } from "../api/with-api-key";
import { ZExecutionSummary } from "../reports/executions";
import { invalid, zodDetails } from "../errors";
import { endExecution } from "./end";

export const ZEndExecution = z.strictObject({
  status: z.enum(["done", "failed"]),
  outcome: z.string().trim().min(1).max(256).refine((v) => v.isWellFormed() && !v.includes("\u0000"), "must be well-formed text without NUL").nullish(),
});

// POST /api/v1/executions/{execution_id}/end  {"status":"done"|"failed","outcome"?}
export const postExecutionEnd = withApiKey(
  {
    scope: "ingest",
    query: z.strictObject({}),
    doc: {
      summary: "End an execution: done or failed",
      description: "Idempotent: ending again keeps the first end time. A blocked execution stays blocked until a person resumes it. Encode a / inside the id as %2F.",
      body: ZEndExecution,
      responses: { 200: { description: "The execution, ended", schema: z.strictObject({ execution: ZExecutionSummary }) } },
      errors: { 404: "No event ever named this execution" },
    },
  },
  async ({ req, key, params }) => {
    const body = ZEndExecution.safeParse(await readJson(req, 16 * 1024));
    if (!body.success) throw invalid("Invalid request body", zodDetails(body.error));
    const execution = await endExecution(key.orgId, params.id, { status: body.data.status, outcome: body.data.outcome ?? null });
    return { status: 200, body: { execution } };
  },
);
