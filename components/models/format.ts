// Pure formatting for the models page (safe in client components).

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en-US");

/** Token counts as a lead reads them: "1.2M", "850K", "312"; the exact count goes in a title. */
export function tokens(n: number): string {
  return n < 10_000 ? whole.format(n) : compact.format(n);
}

export function count(n: number): string {
  return whole.format(n);
}

/** A rate in USD per million tokens ("2.50", "0.075" from the loader) as "$2.50". */
export function perMtok(rate: string | null | undefined): string {
  return rate == null ? "—" : `$${rate}`;
}

export function plural(n: number, word: string): string {
  return `${whole.format(n)} ${word}${n === 1 ? "" : "s"}`;
}
