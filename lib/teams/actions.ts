import { z } from "zod";
import { defineOrgAction } from "../auth/action";
import { archiveCostCenter, archiveTeam, createCostCenter, createTeam, renameCostCenter, updateTeam } from "./manage";

const ZSlug = z.string().trim().min(1).max(64).regex(/^[a-z0-9][a-z0-9-_]*$/, "lowercase letters, digits, - and _");
const ZName = z.string().trim().min(1, "Give it a name").max(100);
const ZOptionalId = z.string().trim().max(64).optional().transform((v) => (v ? v : null));

export const createTeamAction = defineOrgAction(
  { name: "teams.create", permission: "team.manage", input: z.object({ slug: ZSlug, name: ZName, costCenterId: ZOptionalId }) },
  async (access, input) => (await createTeam(access.org.id, access.userId, input)).id,
);

export const updateTeamAction = defineOrgAction(
  { name: "teams.update", permission: "team.manage", input: z.object({ teamId: z.string().min(1), name: ZName.optional(), costCenterId: ZOptionalId.optional() }) },
  async (access, input) => {
    await updateTeam(access.org.id, access.userId, input);
    return null;
  },
);

export const archiveTeamAction = defineOrgAction(
  { name: "teams.archive", permission: "team.manage", input: z.object({ teamId: z.string().min(1) }) },
  async (access, input) => {
    await archiveTeam(access.org.id, access.userId, input.teamId);
    return null;
  },
);

export const createCostCenterAction = defineOrgAction(
  {
    name: "costCenters.create",
    permission: "cost-center.manage",
    input: z.object({ code: z.string().trim().min(1).max(32).regex(/^[A-Za-z0-9][A-Za-z0-9-_.]*$/, "letters, digits, - _ ."), name: ZName, ownerEmail: z.email().optional().or(z.literal("").transform(() => undefined)) }),
  },
  async (access, input) => (await createCostCenter(access.org.id, access.userId, input)).id,
);

export const renameCostCenterAction = defineOrgAction(
  { name: "costCenters.rename", permission: "cost-center.manage", input: z.object({ costCenterId: z.string().min(1), name: ZName }) },
  async (access, input) => {
    await renameCostCenter(access.org.id, access.userId, input);
    return null;
  },
);

export const archiveCostCenterAction = defineOrgAction(
  { name: "costCenters.archive", permission: "cost-center.manage", input: z.object({ costCenterId: z.string().min(1) }) },
  async (access, input) => {
    await archiveCostCenter(access.org.id, access.userId, input.costCenterId);
    return null;
  },
);
