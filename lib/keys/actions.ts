import { z } from "zod";
import { defineOrgAction } from "../auth/action";
import { KEY_SCOPES } from "./authenticate";
import { issueKeyAs, revokeKeyAs, rotateKeyAs } from "./manage";

const optionalText = (max: number) =>
  z.string().trim().max(max).optional().transform((v) => (v ? v : null));

export const ZIssueKeyInput = z.object({
  name: z.string().trim().min(1, "Name the key").max(100),
  teamId: optionalText(64),
  costCenterId: optionalText(64),
  scopes: z.array(z.enum(KEY_SCOPES)).min(1, "Pick at least one scope").max(KEY_SCOPES.length),
  expiresInDays: z.coerce.number().int().min(0).max(3650).default(0),
  allowedModels: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
  rpmLimit: z.coerce.number().int().min(0).max(1_000_000).default(0),
  defaultAgent: optionalText(256),
});

export const issueKeyAction = defineOrgAction(
  { name: "keys.issue", permission: "key.issue-own-team", input: ZIssueKeyInput },
  (access, input) =>
    issueKeyAs(access, {
      name: input.name,
      teamId: input.teamId,
      costCenterId: input.costCenterId,
      scopes: [...new Set(input.scopes)],
      expiresAt: input.expiresInDays > 0 ? new Date(Date.now() + input.expiresInDays * 24 * 3600_000) : null,
      allowedModels: input.allowedModels,
      rpmLimit: input.rpmLimit > 0 ? input.rpmLimit : null,
      defaultAgent: input.defaultAgent,
    }),
);

export const revokeKeyAction = defineOrgAction(
  { name: "keys.revoke", permission: "key.issue-own-team", input: z.object({ keyId: z.string().min(1) }) },
  async (access, input) => {
    await revokeKeyAs(access, input.keyId);
    return null;
  },
);

export const rotateKeyAction = defineOrgAction(
  {
    name: "keys.rotate",
    permission: "key.issue-own-team",
    input: z.object({ keyId: z.string().min(1), graceHours: z.coerce.number().int().min(0).max(24) }),
  },
  (access, input) => rotateKeyAs(access, input.keyId, input.graceHours),
);
