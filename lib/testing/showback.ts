import { expect } from "vitest";
import { authenticateKey } from "../keys/authenticate";
import { prepareEvents } from "../ingest/prepare";
import { sortRows, storeEvents } from "../ingest/store";

// Test support for showback: store events at any moment through the real ingest path (validation,
// attribution, the one-statement write of events and hourly rollups). The API refuses events older
// than 35 days, so each event is prepared as if it arrived when it happened.
export async function ingestAt(secret: string, events: ({ id: string; timestamp: string } & Record<string, unknown>)[]): Promise<void> {
  const key = await authenticateKey(secret);
  if (typeof key === "string") throw new Error(`key refused: ${key}`);
  for (const event of events) {
    const { rows, rejected } = await prepareEvents(key, [{ model: "gpt-4o", ...event }], new Date(event.timestamp));
    expect(rejected, JSON.stringify(rejected)).toEqual([]);
    const stored = await storeEvents(sortRows(rows));
    expect(stored.inserted.size).toBe(1);
  }
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
