// Dates as a lead reads them, in the org's time zone: "Nov 23, 2026".
export function shortDate(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: timezone, month: "short", day: "numeric", year: "numeric" }).format(new Date(iso));
}

// A moment as a lead reads it, in the org's time zone (never the browser's: a client component
// formatting in the browser's zone shows other times than the server rendered, a hydration error).
export function shortDateTime(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: timezone, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}
