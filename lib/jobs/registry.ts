import { kickWebhooks } from "../alerts/webhooks";
import { kickOutbox } from "../email/outbox";

// A background job: runs once per tick, on one replica at a time; returns a JSON-able summary.
// Jobs must be safe to run again at any moment (a tick can stop halfway through a crash).
export type TJob = { name: string; run: () => Promise<unknown> };

// Every job, in the order a tick runs them. Adding one is one line here.
export const JOBS: readonly TJob[] = [
  // Due emails: any a kick has not sent yet, and retries whose backoff has passed.
  { name: "email-outbox", run: kickOutbox },
  // Due budget-alert webhooks: any a kick has not sent yet, and retries whose backoff has passed.
  { name: "webhooks", run: kickWebhooks },
];
