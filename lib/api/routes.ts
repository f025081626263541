import { getApproval, postApproval } from "../approvals/routes";
import { getBudgetCheck } from "../budgets/routes";
import { postExecutionEnd } from "../executions/routes";
import { postAnthropicMessages, postOpenAIChatCompletions } from "../gateway/routes";
import { postEvents } from "../ingest/events-route";
import { postOtlpLogs, postOtlpMetrics, postOtlpTraces } from "../otlp/routes";
import { getExecutions, getSpend } from "../reports/routes";
import { openApiRoute } from "./openapi-route";
import { createMachineRouter, type TRoute } from "./router";

// Every machine route (docs/api.md). The lean router serves these in front of Next.
export const MACHINE_ROUTES: TRoute[] = [
  { method: "POST", path: "/api/v1/events", handler: postEvents },
  { method: "POST", path: "/api/v1/otlp/v1/logs", handler: postOtlpLogs },
  { method: "POST", path: "/api/v1/otlp/v1/metrics", handler: postOtlpMetrics },
  { method: "POST", path: "/api/v1/otlp/v1/traces", handler: postOtlpTraces },
  { method: "GET", path: "/api/v1/spend", handler: getSpend },
  { method: "GET", path: "/api/v1/executions", handler: getExecutions },
  { method: "POST", path: "/api/v1/executions/:id/end", handler: postExecutionEnd },
  { method: "GET", path: "/api/v1/budget", handler: getBudgetCheck },
  { method: "POST", path: "/api/v1/approvals", handler: postApproval },
  { method: "GET", path: "/api/v1/approvals/:approval_id", handler: getApproval },
  { method: "POST", path: "/api/v1/gateway/openai/v1/chat/completions", handler: postOpenAIChatCompletions },
  { method: "POST", path: "/api/v1/gateway/anthropic/v1/messages", handler: postAnthropicMessages },
  { method: "GET", path: "/api/v1/openapi.json", handler: openApiRoute(() => MACHINE_ROUTES) },
];

export const routeMachineRequest = createMachineRouter(MACHINE_ROUTES);
