// The ingest statement's array literals, read back by Postgres itself: whatever text an event
// carries (quotes, backslashes, commas, braces, the word NULL, any Unicode Postgres can store), the
// array Postgres parses is the array we meant.
import fc from "fast-check";
import { expect, test } from "vitest";
import { pool } from "../db";
import { intArrayLiteral, textArrayLiteral, timestampArrayLiteral } from "./array-literal";

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

async function readBack(literal: string, type: string): Promise<unknown[]> {
  const { rows } = await pool().query(`SELECT coalesce(array_to_json($1::${type}[]), '[]'::json) AS a`, [literal]);
  return rows[0].a;
}

test("text elements that look like syntax stay data", async () => {
  const nasty = ["", " ", "NULL", "null", "a,b", "{x}", '"', "\\", '\\"', 'say "hi"', "tab\there", "line\nbreak", "ünïcødé ✓ 🚀", "  padded  ", null];
  expect(await readBack(textArrayLiteral(nasty), "text")).toEqual(nasty);
  expect(await readBack(textArrayLiteral([]), "text")).toEqual([]);
});

test("any storable string survives the round trip (fast-check)", async () => {
  // Postgres text cannot hold U+0000; the event schema refuses it before the write.
  const storable = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\u0000") && s.isWellFormed());
  await fc.assert(
    fc.asyncProperty(fc.array(fc.option(storable, { nil: null }), { maxLength: 20 }), async (values) => {
      expect(await readBack(textArrayLiteral(values), "text")).toEqual(values);
    }),
    { numRuns: RUNS },
  );
});

test("integers, nulls and instants read back exactly; a non-integer is refused before it is sent", async () => {
  expect(await readBack(intArrayLiteral([0, -1, 2_147_483_647, null]), "int4")).toEqual([0, -1, 2_147_483_647, null]);
  expect(() => intArrayLiteral([1.5])).toThrow(/not an integer/);
  expect(() => intArrayLiteral([Number.NaN])).toThrow(/not an integer/);
  const instants = [new Date("2026-03-29T00:59:59.999Z"), new Date("1970-01-01T00:00:00.000Z"), new Date("2026-11-28T23:10:00.123Z")];
  const { rows } = await pool().query(`SELECT array_agg(extract(epoch FROM t) * 1000 ORDER BY n) AS ms FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, n)`, [
    timestampArrayLiteral(instants),
  ]);
  expect(rows[0].ms.map(Number)).toEqual(instants.map((d) => d.getTime()));
});
