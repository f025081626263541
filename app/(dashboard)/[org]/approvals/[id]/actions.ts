"use server";

import { decideApprovalAction } from "@/lib/approvals/actions";
import { serverAction } from "@/lib/auth/server-action";

export const decideApproval = serverAction(decideApprovalAction);
