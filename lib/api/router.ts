import type { IncomingMessage, ServerResponse } from "node:http";
import { toErrorResponse, ApiError } from "./errors";
import { discardBody, sendJson } from "./http";
import type { TMachineHandler } from "./with-api-key";

export type TRoute = { method: string; path: string; prefix?: boolean; handler: TMachineHandler };

export const MACHINE_PREFIX = "/api/v1/";

// The lean router in front of Next (DESIGN §2): exact paths, or prefixes for the gateway.
export function createMachineRouter(routes: TRoute[]) {
  return async function route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(MACHINE_PREFIX)) return false;
    const matching = routes.filter((r) => (r.prefix ? url.pathname.startsWith(r.path) : url.pathname === r.path));
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      const error =
        matching.length > 0
          ? new ApiError(405, "method_not_allowed", `Use ${matching.map((r) => r.method).join(", ")} for ${url.pathname}`)
          : new ApiError(404, "not_found", `No route for ${req.method} ${url.pathname}`);
      const { status, body } = toErrorResponse(error);
      discardBody(req);
      sendJson(res, status, body, matching.length ? { allow: matching.map((r) => r.method).join(", ") } : undefined);
      return true;
    }
    await route.handler(req, res, url);
    return true;
  };
}
