"use server";

import { archiveCostCenterAction, createCostCenterAction, renameCostCenterAction } from "@/lib/teams/actions";
import { serverAction } from "@/lib/auth/server-action";

export const createCostCenter = serverAction(createCostCenterAction);
export const renameCostCenter = serverAction(renameCostCenterAction);
export const archiveCostCenter = serverAction(archiveCostCenterAction);
