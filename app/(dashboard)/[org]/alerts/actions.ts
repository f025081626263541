"use server";

import { resendAlertDeliveryAction } from "@/lib/alerts/actions";
import { serverAction } from "@/lib/auth/server-action";

export const resendDelivery = serverAction(resendAlertDeliveryAction);
