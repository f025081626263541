import { withApiKey } from "../api/with-api-key";
import { checkBudgets, ZBudgetCheck, ZBudgetCheckQuery } from "./check";

// GET /api/v1/budget?execution_id=&task=&agent=&user=&model=&team=
export const getBudgetCheck = withApiKey(
  {
    scope: "ingest",
    query: ZBudgetCheckQuery,
    doc: {
      summary: "May I run this? Every budget that applies, its remaining amount, and allowed: true|false",
      description:
        "The budgets that apply to this key's attribution plus the given execution, task, agent, user, model and team — counted by the same rule as ingest, read now. allowed is false once a BLOCK budget that applies is at or over 100 %, or the execution is blocked; reason names it.",
      responses: { 200: { description: "The budgets that apply", schema: ZBudgetCheck } },
    },
  },
  async ({ key, query }) => ({ status: 200, body: await checkBudgets(key, query) }),
);
