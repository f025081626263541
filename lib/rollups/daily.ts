// The single-dimension levels beside the hourly rollups: spend per single dimension per org-local
// hour (UsageHourly) and per org-local day (UsageDaily). Ingest, the seeds and reprice write both
// with the same unpivot; the dashboard reads one dimension over whole hours or days from them, so
// its cost follows the number of distinct values, not the number of events.

export const DAILY_DIMENSIONS = ["team", "agent", "model", "user", "repository", "cost_center", "key"] as const;
export type TDailyDimension = (typeof DAILY_DIMENSIONS)[number];

// One row per dimension for the event (or hourly rollup) aliased `e`, as (dimension, value);
// `coalesced` when the source stores "" for none already (UsageRollup).
export const DAILY_UNPIVOT = (e: string, coalesced = false) => {
  const v = (column: string) => (coalesced ? `${e}.${column}` : `coalesce(${e}.${column}, '')`);
  return `(VALUES ('team', ${v(`"teamId"`)}), ('agent', ${v("agent")}), ('model', ${v("model")}), ('user', ${v(`"userId"`)}),
                 ('repository', ${v("repository")}), ('cost_center', ${v(`"costCenterId"`)}), ('key', ${e}."keyId")) AS dd(dimension, value)`;
};

// The org-local calendar day of an instant.
export const LOCAL_DAY = (ts: string, tz: string) => `((${ts}) AT TIME ZONE ${tz})::date`;
