import { defineOrgAction } from "../auth/action";
import { addModelPrice, ZModelPriceInput } from "./price-overrides";
import { repriceModel, ZRepriceInput } from "./reprice";

// Owners and admins add model prices and reprice stored calls (the models page); every member reads the page.

export const addModelPriceAction = defineOrgAction(
  { name: "models.addPrice", permission: "pricing.manage", input: ZModelPriceInput },
  async (access, input) => addModelPrice(access.org.id, access.userId, input),
);

export const repriceModelAction = defineOrgAction(
  { name: "models.reprice", permission: "pricing.manage", input: ZRepriceInput },
  async (access, input) => repriceModel(access.org.id, access.userId, input),
);
