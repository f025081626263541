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

// Optionally with a new limit for the execution (USD, above what it has spent): lib/executions/resume.ts.
const limitUsd = z.string().trim().regex(/^\d{1,9}(\.\d{1,6})?$/, "Enter an amount in USD, like 12.50").optional();

export const resumeExecutionAction = defineOrgAction(
  {
    name: "executions.resume",
    permission: "execution.resume",
    input: z.object({ executionId: z.string().min(1).max(256).refine((s) => !s.includes("\u0000"), "is not an execution id"), note, limitUsd }),
  },
  (access, input) => resumeExecution(access.org.id, access.userId, input.executionId, input.note ?? null, { limitUsd: input.limitUsd ?? null }),
);

export const saveAnomalySettingsAction = defineOrgAction(
  { name: "anomalies.saveSettings", permission: "anomaly.settings", input: ZAnomalySettingsPatch },
  (access, input) => saveAnomalySettings(access.org.id, access.userId, input as TAnomalySettingsPatch),
);
