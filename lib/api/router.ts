import type { IncomingMessage, ServerResponse } from "node:http";
import { DomainError, notFound } from "../errors";
import { toErrorResponse } from "./errors";
import { discardBody, sendJson } from "./http";
import type { TMachineHandler } from "./with-api-key";

// `path` is exact, a prefix (gateway), or a pattern with `:name` segments whose decoded values reach
// the handler as params (`/api/v1/executions/:id/end`; a client encodes "/" inside an id as %2F).
export type TRoute = { method: string; path: string; prefix?: boolean; handler: TMachineHandler };

function matchPath(route: TRoute, pathname: string): Record<string, string> | null {
  if (route.prefix) return pathname.startsWith(route.path) ? {} : null;
  if (!route.path.includes("/:")) return pathname === route.path ? {} : null;
  const want = route.path.split("/");
  const got = pathname.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) {
      if (!got[i]) return null;
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return null; // malformed %-escape: no route
      }
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}

// Next owns these API paths (its route handlers under app/api/); every other /api path is the
// machine API's, so a wrong version or path answers a JSON error, never Next's HTML 404 page.
// The list equals the app/api/* folders (a test checks).
export const NEXT_API_PREFIXES: readonly string[] = ["/api/auth", "/api/cron"];

export function isMachinePath(pathname: string): boolean {
  if (pathname !== "/api" && !pathname.startsWith("/api/")) return false;
  return !NEXT_API_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

// The lean router in front of Next (docs/architecture.md): exact paths, or prefixes for the gateway.
export function createMachineRouter(routes: TRoute[]) {
  return async function route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!isMachinePath(url.pathname)) return false;
    const matching = routes.map((r) => ({ ...r, params: matchPath(r, url.pathname) })).filter((r) => r.params !== null);
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      const allow = matching.map((r) => r.method).join(", ");
      const error = allow
        ? new DomainError("method_not_allowed", `Use ${allow} for ${url.pathname}`, undefined, { allow })
        : notFound(`No route for ${req.method} ${url.pathname}`);
      const { status, body, headers } = toErrorResponse(error);
      discardBody(req);
      sendJson(res, status, body, headers);
      return true;
    }
    await route.handler(req, res, url, route.params ?? {});
    return true;
  };
}
