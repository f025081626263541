import { z } from "zod";
import { readJson } from "../api/http";
import { withApiKey } from "../api/with-api-key";
import { notFound } from "../errors";
import { approvalOut, findApproval, ZApproval } from "./approval";
import { parseIdempotencyKey, requestApproval, ZApprovalRequest } from "./request";

// POST /api/v1/approvals  {"execution_id" | "task", "amount_usd", "reason"}  [Idempotency-Key]
export const postApproval = withApiKey(
  {
    scope: "ingest",
    query: z.strictObject({}),
    doc: {
      summary: "Ask a person for more budget for a refused execution or task",
      description:
        "The budget owners get an email with Approve / Deny links; poll GET /api/v1/approvals/{approval_id}. One ask per execution (or task) is pending at a time: asking again while one is pending, or repeating a POST with the same Idempotency-Key, answers that approval (200) instead of making another. Expires after 24 h.",
      body: ZApprovalRequest,
      responses: {
        201: { description: "The ask, made: the owners are being emailed", schema: ZApproval },
        200: { description: "The pending ask already made (same Idempotency-Key, or the execution's or task's pending ask)", schema: ZApproval },
      },
      errors: { 404: "No event ever named this execution or task", 409: "The Idempotency-Key was used for a different ask" },
    },
  },
  async ({ req, key }) => {
    const idempotencyKey = parseIdempotencyKey(req.headers["idempotency-key"]);
    const { approval, created } = await requestApproval(key, await readJson(req, 16 * 1024), idempotencyKey);
    return { status: created ? 201 : 200, body: approvalOut(approval), headers: { Location: `/api/v1/approvals/${encodeURIComponent(approval.id)}` } };
  },
);

// GET /api/v1/approvals/{approval_id}
export const getApproval = withApiKey(
  {
    scope: ["ingest", "read"],
    query: z.strictObject({}),
    doc: {
      summary: "An ask's status: pending, approved (with the new limit), denied or expired",
      description: "Poll this after POST /api/v1/approvals (every 10–30 s is plenty). Once approved, the execution (or the task's blocked executions) runs again and new_limit_usd is its limit now.",
      responses: { 200: { description: "The approval", schema: ZApproval } },
      errors: { 404: "No such approval in this organization" },
    },
  },
  async ({ key, params }) => {
    const approval = await findApproval(key.orgId, params.approval_id);
    if (!approval) throw notFound("No such approval");
    return { status: 200, body: approvalOut(approval) };
  },
);
