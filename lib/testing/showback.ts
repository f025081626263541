import { expect } from "vitest";
import { authenticateKey } from "../keys/authenticate";
import { ingestWithKey } from "./usage";

// Test support for showback: events at any moment through the real ingest path (lib/testing/usage.ts),
// each as if it arrived when it happened (the API refuses events older than 35 days).
export async function ingestAt(secret: string, events: ({ id: string; timestamp: string } & Record<string, unknown>)[]): Promise<void> {
  const key = await authenticateKey(secret);
  if (typeof key === "string") throw new Error(`key refused: ${key}`);
  await ingestWithKey(key, events.map((event) => ({ model: "gpt-4o", ...event })));
}

// A minimal RFC 4180 reader, written apart from the builder so the tests check the file, not the code.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      expect(field, "a quote may only open a field").toBe("");
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else {
      expect(c === "\r" || c === "\n", `bare line break at ${i}`).toBe(false);
      field += c;
      i++;
    }
  }
  expect(quoted, "unterminated quoted field").toBe(false);
  expect(field === "" && row.length === 0, "the file ends with CRLF").toBe(true);
  return rows;
}
