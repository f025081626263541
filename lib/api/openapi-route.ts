import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http";
import { buildOpenApi } from "./openapi";
import type { TRoute } from "./router";

// GET /api/v1/openapi.json — public (it documents, it reveals nothing), built once per process.
export function openApiRoute(routes: () => readonly TRoute[]) {
  let document: Record<string, unknown> | null = null;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    document ??= buildOpenApi(routes(), process.env.APP_URL);
    req.resume();
    sendJson(res, 200, document, { "cache-control": "public, max-age=300", "access-control-allow-origin": "*" });
  };
}
