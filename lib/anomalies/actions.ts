import { z } from "zod";
import { defineOrgAction } from "../auth/action";
import { resumeExecution } from "../executions/resume";
import { acknowledgeAnomaly } from "./acknowledge";
import { saveAnomalySettings, ZAnomalySettingsPatch, type TAnomalySettingsPatch } from "./settings-edit";

// The anomalies page's buttons and the settings page's runaway-detection form. Acknowledging is for
// anyone who runs agents (not viewers); resuming a blocked execution and changing thresholds or the
// breaker are for owners and admins (lib/auth/permissions.ts).

const note = z.string().trim().max(500).optional();

export const acknowledgeAnomalyAction = defineOrgAction(
  { name: "anomalies.acknowledge", permission: "anomaly.acknowledge", input: z.object({ anomalyId: z.string().min(1).max(64), note }) },
  (access, input) => acknowledgeAnomaly(access.org.id, access.userId, input.anomalyId, input.note),
);

export const resumeExecutionAction = defineOrgAction(
  { name: "executions.resume", permission: "execution.resume", input: z.object({ executionId: z.string().min(1).max(256).refine((s) => !s.includes("\u0000"), "is not an execution id"), note }) },
  (access, input) => resumeExecution(access.org.id, access.userId, input.executionId, input.note ?? null),
);

export const saveAnomalySettingsAction = defineOrgAction(
  { name: "anomalies.saveSettings", permission: "anomaly.settings", input: ZAnomalySettingsPatch },
  (access, input) => saveAnomalySettings(access.org.id, access.userId, input as TAnomalySettingsPatch),
);
