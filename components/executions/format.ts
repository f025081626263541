// Pure formatting for the executions pages (safe in the browser: no lib/ imports).

// "<1 s", "45 s", "12 min 3 s", "3 h 12 min", "2 d 4 h" — a lead reads the biggest two units.
export function formatDuration(ms: number): string {
  if (ms < 1000) return ms <= 0 ? "0 s" : "<1 s";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

// Token counts on an axis or in a cell: 950, 12.3k, 1.24M.
export function compactTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(2)}M`;
}

export const integer = (n: number) => n.toLocaleString("en-US");

// A moment with seconds, in the org's zone (never the browser's: the server and the browser must
// render the same text).
export function timeWithSeconds(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: timezone, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}
