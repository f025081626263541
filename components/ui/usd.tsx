import { displayUsd, exactUsd } from "@/lib/money";

// Money as every page shows it (lib/money.ts displayUsd), the exact amount on hover.
export function Usd({ value, className }: { value: string | null | undefined; className?: string }) {
  return (
    <span className={className} title={`exact ${exactUsd(value)}`}>
      {displayUsd(value)}
    </span>
  );
}
