// Dates as a lead reads them, in the org's time zone: "Nov 23, 2026".
export function shortDate(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: timezone, month: "short", day: "numeric", year: "numeric" }).format(new Date(iso));
}
