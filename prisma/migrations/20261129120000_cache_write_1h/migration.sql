-- The one-hour part of an event's cache writes (Anthropic's 1h TTL, billed at 2× input rather than
-- the five-minute 1.25×). A constant default: no table rewrite.
ALTER TABLE "UsageEvent" ADD COLUMN "cacheWrite1hTokens" INTEGER NOT NULL DEFAULT 0;
