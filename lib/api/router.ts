import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest, DomainError, notFound } from "../errors";
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
      let value: string;
      try {
        value = decodeURIComponent(got[i]);
      } catch {
        return null; // malformed %-escape: no route
      }
      // No stored id holds NUL or a lone surrogate (ingest refuses them): nothing to find.
      if (value.includes("\u0000") || !value.isWellFormed()) return null;
      params[want[i].slice(1)] = value;
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}

// Next serves these API routes (its route handlers under app/api/), with these methods; every other
// /api path — and another method on these — is the machine API's, so a wrong version, path or method
// answers a JSON error, never Next's HTML page. The list matches the app/api/* route files (a test
// checks).
export const NEXT_API_ROUTES: readonly { path: RegExp; methods: readonly string[]; file: string }[] = [
  // Auth.js's own actions (sign-in, callback, session, CSRF…) under its catch-all route.
  {
    path: /^\/api\/auth\/(providers|session|csrf|signin|signout|callback|verify-request|error|webauthn-options)(\/[^/]+)?$/,
    methods: ["GET", "POST"],
    file: "app/api/auth/[...nextauth]/route.ts",
  },
  { path: /^\/api\/cron\/tick$/, methods: ["POST"], file: "app/api/cron/tick/route.ts" },
];

const isApiPath = (pathname: string) => pathname === "/api" || pathname.startsWith("/api/");

export function isMachinePath(pathname: string, method = "GET"): boolean {
  if (!isApiPath(pathname)) return false;
  return !NEXT_API_ROUTES.some((r) => r.path.test(pathname) && r.methods.includes(method));
}

// The request target as a URL, or null when it is not an origin-form path ("*", "http://[::1",
// "//x"): those are answered 400 before they reach any handler (Next's included).
export function requestUrl(target: string | undefined): URL | null {
  if (!target || !target.startsWith("/") || target.startsWith("//")) return null;
  try {
    return new URL(target, "http://localhost");
  } catch {
    return null;
  }
}

// The lean router in front of Next (docs/architecture.md): exact paths, `:param` patterns, or
// prefixes for the gateway. HEAD is answered like GET (Node sends no body for HEAD).
export function createMachineRouter(routes: TRoute[]) {
  return async function route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = requestUrl(req.url);
    if (!url) {
      discardBody(req);
      const { status, body } = toErrorResponse(badRequest("Malformed request target: expected a path starting with /"));
      sendJson(res, status, body, { connection: "close" });
      return true;
    }
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    if (!isMachinePath(url.pathname, method)) return false;
    const matching = routes.map((r) => ({ ...r, params: matchPath(r, url.pathname) })).filter((r) => r.params !== null);
    const route = matching.find((r) => r.method === method);
    if (!route) {
      const nextMethods = NEXT_API_ROUTES.find((r) => r.path.test(url.pathname))?.methods ?? [];
      const allow = [...new Set([...matching.map((r) => r.method), ...nextMethods])].join(", ");
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
