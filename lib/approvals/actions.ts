import { z } from "zod";
import { defineOrgAction } from "../auth/action";
import { approvalState } from "./approval";
import { decideApproval } from "./decide";
import { ZDecisionLink } from "./decision-link";

// Owners and admins approve or deny an agent's ask from the page its emailed link opens: a POST, with
// the link's signed decision (never on GET — mail scanners open links).
export const decideApprovalAction = defineOrgAction(
  { name: "approvals.decide", permission: "approval.decide", input: ZDecisionLink.extend({ approvalId: z.string().trim().min(1).max(64) }) },
  async (access, { approvalId, ...link }) => {
    const r = await decideApproval(access.org.id, access.userId, approvalId, link);
    return { status: approvalState(r.approval), resumed: r.resumed, stillOver: r.stillOver, newLimitUsd: r.approval.newLimitUsd };
  },
);
