import { z } from "zod";
import { ERROR_STATUS } from "../errors";
import type { TKeyScope } from "../keys/authenticate";
import type { TRoute } from "./router";

// The machine API as an OpenAPI 3.1 document, generated from the same zod schemas the routes parse
// requests with and a test holds their responses to — so the document cannot drift from the code.
// Served at GET /api/v1/openapi.json; `npx openapi-generator-cli generate -i …` makes a client.
export type TRouteDoc = {
  summary: string;
  description?: string;
  // The key's scope; several: any one of them.
  scope?: TKeyScope | readonly TKeyScope[];
  query?: z.ZodType;
  body?: z.ZodType;
  // Success responses by status; the error responses every wrapped route can give are added.
  responses: Record<number, { description: string; schema: z.ZodType }>;
  // Further errors this route gives, beyond those every wrapped route can (e.g. 404 for an unknown id).
  errors?: Record<number, string>;
  // A body that is not one JSON schema (OTLP: protobuf or JSON): content type → what it is.
  rawBody?: Record<string, string>;
  // Errors in a protocol's own shape instead of {"error": …} (OTLP's google.rpc.Status).
  errorBody?: { id: string; schema: z.ZodType };
};

// Building blocks of response schemas.
export const ZUsd = z.string().regex(/^-?\d+\.\d{2,}$/).describe("US dollars as an exact decimal string, at least two decimals (\"0.00475\")");
export const ZInstantOut = z.string().describe("ISO-8601 instant (UTC)");

export const ZErrorDetail = z.strictObject({ path: z.string(), message: z.string(), index: z.number().int().optional() });
export const ZErrorBody = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]),
    message: z.string(),
    details: z.array(ZErrorDetail).optional(),
  }),
});

const ERROR_RESPONSES: Record<number, string> = {
  400: "Malformed request (not JSON, bad gzip)",
  401: "Missing, unknown, revoked or expired key",
  403: "The key lacks the scope this route needs",
  413: "Body over the size or count limit",
  415: "Unsupported Content-Type or Content-Encoding",
  422: "Invalid fields; `details` lists each with its path",
  429: "Rate limited; retry after `Retry-After` seconds",
};

// Only a route that reads a body can answer these.
const BODY_ERRORS = new Set(["400", "413", "415"]);

// Schemas given an id with `.meta({ id })` become shared components, referenced wherever they appear.
const sharedSchemas: Record<string, unknown> = {};

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const converted = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" });
  // zod points at "#/$defs/<id>"; in an OpenAPI document shared schemas live under components.
  const relinked = JSON.parse(JSON.stringify(converted).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, unknown> & {
    $defs?: Record<string, unknown>;
  };
  const { $schema: _dialect, $defs, ...rest } = relinked;
  Object.assign(sharedSchemas, $defs);
  return rest;
}

function queryParameters(query: z.ZodType | undefined): unknown[] {
  if (!query) return [];
  const schema = jsonSchema(query, "input") as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: schema.required?.includes(name) ?? false,
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    schema: property,
  }));
}

export function openApiPath(routePath: string): string {
  return routePath.replace(/:(\w+)/g, "{$1}");
}

export function buildOpenApi(routes: readonly TRoute[], serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const doc = route.handler.doc;
    if (!doc) continue;
    const pathParams = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({ name, in: "path", required: true, schema: { type: "string" } }));
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(doc.responses)) {
      responses[status] = { description: response.description, content: { "application/json": { schema: jsonSchema(response.schema, "output") } } };
    }
    if (doc.scope) {
      const errorRef = doc.errorBody ? doc.errorBody.id : "Error";
      if (doc.errorBody) sharedSchemas[doc.errorBody.id] = jsonSchema(doc.errorBody.schema, "output");
      for (const [status, description] of Object.entries({ ...ERROR_RESPONSES, ...doc.errors })) {
        if (BODY_ERRORS.has(status) && !doc.body && !doc.rawBody) continue;
        responses[status] ??= { description, content: { "application/json": { schema: { $ref: `#/components/schemas/${errorRef}` } } } };
      }
    }
    paths[openApiPath(route.path)] ??= {};
    paths[openApiPath(route.path)][route.method.toLowerCase()] = {
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      operationId: `${route.method.toLowerCase()}${openApiPath(route.path).replace(/^\/api\/v1/, "").replace(/[{}]/g, "").split(/[/._-]/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join("")}`,
      ...(doc.scope ? { security: [{ virtualKey: [] }, { virtualKeyHeader: [] }], "x-burnrate-scope": doc.scope } : { security: [] }),
      parameters: [...pathParams, ...queryParameters(doc.query)],
      ...(doc.body
        ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(doc.body, "input") } } } }
        : doc.rawBody
          ? { requestBody: { required: true, content: Object.fromEntries(Object.entries(doc.rawBody).map(([type, description]) => [type, { schema: { description } }])) } }
          : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Burnrate machine API",
      version: "1",
      description:
        "Report LLM and tool calls, read spend back. Authenticate with a virtual key: `Authorization: Bearer br_…`. Money is a decimal string in USD. See docs/api.md.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        virtualKey: { type: "http", scheme: "bearer", description: "A Burnrate virtual key (br_…), with the scope the operation names" },
        virtualKeyHeader: { type: "apiKey", in: "header", name: "x-api-key", description: "The same key in x-api-key, as Anthropic's SDKs send it" },
      },
      schemas: { ...sharedSchemas, Error: jsonSchema(ZErrorBody, "output") },
    },
  };
}
