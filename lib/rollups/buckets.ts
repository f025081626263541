// Rollups are hourly buckets aligned to the org's time zone (docs/architecture.md §4: periods are calendar
// periods in the org's zone), so every local day is a whole set of buckets.

// Start of the org-local hour holding `ts`, as an instant: ts minus how far into its local hour it
// is. Unlike date_trunc(… AT TIME ZONE) AT TIME ZONE, this keeps the two passes of a repeated
// autumn hour apart, and it handles +05:30 zones (local hours start at :30 UTC).
export const LOCAL_HOUR_START = (ts: string, tz: string) =>
  `(${ts} - ((${ts} AT TIME ZONE ${tz}) - date_trunc('hour', ${ts} AT TIME ZONE ${tz})))`;
