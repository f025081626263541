import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { TRouteDoc } from "./openapi";
import { authenticateKey, type TAuthenticatedKey, type TKeyScope } from "../keys/authenticate";
import { DomainError, forbidden, invalid, rateLimited, unauthorized, zodDetails } from "../errors";
import { toErrorResponse, type TErrorBody } from "./errors";
import { bearerToken, ClientAbortedError, discardBody, sendJson } from "./http";
import { takeKeyToken } from "./rate-limit";

export type TApiKeyContext<Q> = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  // Decoded `:name` segments of the route's path.
  params: Record<string, string>;
  key: TAuthenticatedKey;
  query: Q;
};

export type THandlerResult = { status: number; body: unknown; headers?: Record<string, string> } | "handled";

// A machine route's handler; `doc` is what the OpenAPI document (lib/api/openapi.ts) says of it.
export type TMachineHandler = ((req: IncomingMessage, res: ServerResponse, url: URL, params: Record<string, string>) => Promise<void>) & {
  doc?: TRouteDoc;
};

const AUTH_MESSAGES = {
  missing: "Missing API key: send Authorization: Bearer <virtual key>",
  unknown: "Unknown API key",
  revoked: "This API key has been revoked",
  expired: "This API key has expired",
} as const;

// The one wrapper for machine routes: authenticate → scope → rate limit → parse query → handler →
// one error mapper. Body parsing stays in the handler, which knows its own content types and limits.
// `doc` (summary, body and response schemas) feeds the OpenAPI document served at
// /api/v1/openapi.json; a test holds real responses to those schemas.
// `scope`: the key needs it — or, given several, any one of them.
// `sendError`: a protocol with its own error body (OTLP's Status) answers in it; the status code and
// headers (Retry-After) are the same mapping's.
export type TErrorSender = (req: IncomingMessage, res: ServerResponse, error: { status: number; body: TErrorBody; headers?: Record<string, string> }) => void;

export function withApiKey<QS extends z.ZodType>(
  options: { scope: TKeyScope | readonly TKeyScope[]; query: QS; doc: Omit<TRouteDoc, "scope" | "query">; sendError?: TErrorSender },
  handler: (ctx: TApiKeyContext<z.infer<QS>>) => Promise<THandlerResult>,
): TMachineHandler {
  const route: TMachineHandler = async (req, res, url, params) => {
    try {
      const key = await authenticateKey(bearerToken(req));
      if (typeof key === "string") throw unauthorized(AUTH_MESSAGES[key]);
      const scopes: readonly TKeyScope[] = typeof options.scope === "string" ? [options.scope] : options.scope;
      if (!scopes.some((s) => key.scopes.includes(s))) {
        throw forbidden(`This key lacks the ${scopes.map((s) => `'${s}'`).join(" or ")} scope`);
      }
      if (key.rpmLimit) {
        const wait = await takeKeyToken(key.id, key.rpmLimit);
        if (wait > 0) throw rateLimited(wait);
      }
      const parsedQuery = options.query.safeParse(Object.fromEntries(url.searchParams));
      if (!parsedQuery.success) throw invalid("Invalid query parameters", zodDetails(parsedQuery.error));
      const result = await handler({ req, res, url, params, key, query: parsedQuery.data });
      if (result !== "handled") sendJson(res, result.status, result.body, result.headers);
    } catch (err) {
      // A client that hung up mid-request is not a server error, and there is no one to answer.
      if (err instanceof ClientAbortedError) return;
      if (!(err instanceof DomainError) && res.headersSent) {
        console.error("[api] error after response started:", err);
        res.destroy();
        return;
      }
      const error = toErrorResponse(err);
      if (!res.headersSent) {
        if (options.sendError) options.sendError(req, res, error);
        else sendJson(res, error.status, error.body, error.headers);
      }
      // Drain what the client still sends so the connection can be reused.
      discardBody(req);
    }
  };
  route.doc = { ...options.doc, scope: options.scope, query: options.query };
  return route;
}
