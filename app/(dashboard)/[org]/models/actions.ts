"use server";

import { addModelPriceAction, repriceModelAction } from "@/lib/pricing/actions";
import { serverAction } from "@/lib/auth/server-action";

export const addModelPrice = serverAction(addModelPriceAction);
export const repriceModel = serverAction(repriceModelAction);
