import type { z } from "zod";
import { badRequest } from "../errors";

// Keyset-page cursors are base64url JSON made by the list that reads them. Anything else is a
// clear 400, never SQL: too long, not base64url, not JSON, or not the list's own shape.
export const encodeJsonCursor = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

export function decodeJsonCursor<S extends z.ZodType>(raw: string, schema: S, maxLength: number): z.infer<S> {
  const refuse = () => cursorError("is not a cursor this list made");
  if (raw.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(raw)) throw refuse();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw refuse();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw refuse();
  return parsed.data;
}

export const cursorError = (why: string) => badRequest("Invalid page cursor", [{ path: "cursor", message: why }]);
