"use server";

import { archiveBudgetAction, createBudgetAction, updateBudgetAction } from "@/lib/budgets/actions";
import { serverAction } from "@/lib/auth/server-action";

export const createBudget = serverAction(createBudgetAction);
export const updateBudget = serverAction(updateBudgetAction);
export const archiveBudget = serverAction(archiveBudgetAction);
