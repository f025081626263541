import { z } from "zod";
import { defineOrgAction } from "../auth/action";
import { changeBudget, createBudgetFromForm, ZBudgetChange, ZBudgetCreateForm } from "./edit";
import { archiveBudget } from "./manage";

// Owners and admins make, change and archive budgets; every member reads them (the budgets page).

const ZBudgetId = z.string().trim().min(1).max(64);

export const createBudgetAction = defineOrgAction(
  { name: "budgets.create", permission: "budget.manage", input: ZBudgetCreateForm },
  async (access, input) => ({ id: (await createBudgetFromForm(access.org.id, access.userId, input)).id }),
);

export const updateBudgetAction = defineOrgAction(
  { name: "budgets.update", permission: "budget.manage", input: ZBudgetChange.extend({ budgetId: ZBudgetId }) },
  async (access, { budgetId, ...change }) => ({ id: (await changeBudget(access.org.id, access.userId, budgetId, change)).id }),
);

export const archiveBudgetAction = defineOrgAction(
  { name: "budgets.archive", permission: "budget.manage", input: z.object({ budgetId: ZBudgetId }) },
  async (access, input) => {
    await archiveBudget(access.org.id, access.userId, input.budgetId);
    return null;
  },
);
