"use server";

import { acknowledgeAnomalyAction, resumeExecutionAction } from "@/lib/anomalies/actions";
import { serverAction } from "@/lib/auth/server-action";

export const acknowledgeAnomaly = serverAction(acknowledgeAnomalyAction);
export const resumeExecution = serverAction(resumeExecutionAction);
