// Postgres array literals for the ingest statement's unnest() parameters, built per column with the
// column's type known. node-postgres does the same generically, per element: type checks, two regex
// replaces on every string, and a local-time date format — ~8 µs an event at batches of 1,000, the
// largest single cost of the write on the server (bench:alerts profile, 2026-11-28).
//
// Every non-null text element is double-quoted, so commas, braces, spaces and the word NULL stay
// data; inside the quotes only `"` and `\` need a backslash (Postgres array input syntax).

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

export function textArrayLiteral(values: readonly (string | null)[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ",";
    if (v === null) out += "NULL";
    else if (NEEDS_ESCAPE.test(v)) out += `"${v.replace(ESCAPED, "\\$&")}"`;
    else out += `"${v}"`;
  }
  return out + "}";
}

// Integers (int4 columns); a non-finite number is refused here rather than sent as a word.
export function intArrayLiteral(values: readonly (number | null)[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ",";
    if (v === null) out += "NULL";
    else if (Number.isInteger(v)) out += v;
    else throw new TypeError(`not an integer: ${v}`);
  }
  return out + "}";
}

// Instants as ISO 8601 in UTC, which timestamptz reads exactly (to the millisecond a Date holds).
export function timestampArrayLiteral(values: readonly Date[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    out += `"${values[i].toISOString()}"`;
  }
  return out + "}";
}
