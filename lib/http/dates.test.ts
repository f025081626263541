import { expect, test } from "vitest";
import { pool } from "../db";
import { isUsableDate, isUsableInstant } from "./dates";

// Whatever passes is something Postgres takes; what Postgres refuses does not pass.
const DATES = ["2026-11-28", "1970-01-01", "9999-12-31", "0000-01-01", "1969-12-31", "2026-02-30", "2026-13-01", "20261128", "2026-1-1", ""];
const INSTANTS = ["2026-11-28T10:00:00Z", "2026-11-28T10:00:00.123+05:30", "2026-11-28T10:00:00-14:00", "2026-11-28T10:00:00+14:01", "2024-01-01T00:00:00+23:59", "0000-01-01T00:00:00Z", "2026-11-28T10:00:00", "2026-11-28", "x"];

test("usable dates and instants are exactly those Postgres accepts (within 1970–9999)", async () => {
  expect(DATES.filter(isUsableDate)).toEqual(["2026-11-28", "1970-01-01", "9999-12-31"]);
  expect(INSTANTS.filter(isUsableInstant)).toEqual(["2026-11-28T10:00:00Z", "2026-11-28T10:00:00.123+05:30", "2026-11-28T10:00:00-14:00"]);
  for (const d of DATES.filter(isUsableDate)) await pool().query("SELECT $1::date", [d]);
  for (const t of INSTANTS.filter(isUsableInstant)) await pool().query("SELECT $1::timestamptz", [t]);
  // What zod's ISO checks alone let through, and Postgres refuses:
  await expect(pool().query("SELECT $1::date", ["0000-01-01"])).rejects.toThrow();
  await expect(pool().query("SELECT $1::timestamptz", ["2024-01-01T00:00:00+23:59"])).rejects.toThrow();
});
