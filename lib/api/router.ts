import type { IncomingMessage, ServerResponse } from "node:http";
import { DomainError, notFound } from "../errors";
import { toErrorResponse } from "./errors";
import { sendJson } from "./http";
import type { TMachineHandler } from "./with-api-key";

export type TRoute = { method: string; path: string; prefix?: boolean; handler: TMachineHandler };

// Next owns these API paths (its route handlers under app/api/); every other /api path is the
// machine API's, so a wrong version or path answers a JSON error, never Next's HTML 404 page.
// The list equals the app/api/* folders (a test checks).
export const NEXT_API_PREFIXES: readonly string[] = ["/api/auth"];

export function isMachinePath(pathname: string): boolean {
  if (pathname !== "/api" && !pathname.startsWith("/api/")) return false;
  return !NEXT_API_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

// The lean router in front of Next (docs/architecture.md): exact paths, or prefixes for the gateway.
export function createMachineRouter(routes: TRoute[]) {
  return async function route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!isMachinePath(url.pathname)) return false;
    const matching = routes.filter((r) => (r.prefix ? url.pathname.startsWith(r.path) : url.pathname === r.path));
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      const allow = matching.map((r) => r.method).join(", ");
      const error = allow
        ? new DomainError("method_not_allowed", `Use ${allow} for ${url.pathname}`, undefined, { allow })
        : notFound(`No route for ${req.method} ${url.pathname}`);
      const { status, body, headers } = toErrorResponse(error);
      req.resume();
      sendJson(res, status, body, headers);
      return true;
    }
    await route.handler(req, res, url);
    return true;
  };
}
