import { z } from "zod";
import { defineOrgAction } from "../auth/action";
import { appUrl } from "../orgs/actions";
import { resendDelivery } from "./history";
import { revealWebhookSecret, rotateWebhookSecret, sendTestWebhook, setAlertWebhookUrl } from "./settings";
import { MAX_WEBHOOK_URL_LENGTH } from "./webhook-target";

// Owners and admins manage where alerts go and resend failed ones; everyone may look.

export const setAlertWebhookAction = defineOrgAction(
  {
    name: "settings.setAlertWebhook",
    permission: "alerts.manage",
    // "" clears it. The URL's own rules (https, public address) are checked by setAlertWebhookUrl.
    input: z.object({ url: z.string().trim().max(MAX_WEBHOOK_URL_LENGTH, `At most ${MAX_WEBHOOK_URL_LENGTH} characters`) }),
  },
  (access, input) => setAlertWebhookUrl(access, input.url || null),
);

export const revealWebhookSecretAction = defineOrgAction(
  { name: "settings.revealWebhookSecret", permission: "alerts.manage", input: z.object({}) },
  (access) => revealWebhookSecret(access),
);

export const rotateWebhookSecretAction = defineOrgAction(
  { name: "settings.rotateWebhookSecret", permission: "alerts.manage", input: z.object({}) },
  (access) => rotateWebhookSecret(access),
);

export const sendTestWebhookAction = defineOrgAction(
  { name: "settings.sendTestWebhook", permission: "alerts.manage", input: z.object({}) },
  (access) => sendTestWebhook(access, appUrl()),
);

export const resendAlertDeliveryAction = defineOrgAction(
  { name: "alerts.resend", permission: "alerts.manage", input: z.object({ channel: z.enum(["email", "webhook"]), id: z.string().min(1).max(128) }) },
  (access, input) => resendDelivery(access, input),
);
