import { handleCronTick } from "@/lib/jobs/cron";

// One job tick for external schedulers: POST with Authorization: Bearer <CRON_SECRET> (lib/jobs).
export const dynamic = "force-dynamic";
export const POST = handleCronTick;
