"use server";

import { revealWebhookSecretAction, rotateWebhookSecretAction, sendTestWebhookAction, setAlertWebhookAction } from "@/lib/alerts/actions";
import { saveAnomalySettingsAction } from "@/lib/anomalies/actions";
import { serverAction } from "@/lib/auth/server-action";

export const setAlertWebhook = serverAction(setAlertWebhookAction);
export const revealWebhookSecret = serverAction(revealWebhookSecretAction);
export const rotateWebhookSecret = serverAction(rotateWebhookSecretAction);
export const sendTestWebhook = serverAction(sendTestWebhookAction);
export const saveAnomalySettings = serverAction(saveAnomalySettingsAction);
