import { z } from "zod";

// The email settings, read from process.env on every call rather than through lib/env's cached
// env(): the same process can then switch between Resend and the dev mailbox (tests do), and a key
// rotated by the platform's env reload is picked up. Same names and rules as lib/env.ts.
const ZEmailEnv = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.string().url().optional(),
  EMAIL_FROM: z.string().default("Burnrate <alerts@burnrate.local>"),
  BURNRATE_MAILBOX: z.enum(["0", "1"]).optional(),
});

export type TEmailEnv = z.infer<typeof ZEmailEnv>;

export function emailEnv(): TEmailEnv {
  const result = ZEmailEnv.safeParse({
    NODE_ENV: process.env.NODE_ENV,
    // An empty value means "not set" (a blank line in .env), not "a key that Resend will refuse".
    RESEND_API_KEY: process.env.RESEND_API_KEY || undefined,
    RESEND_BASE_URL: process.env.RESEND_BASE_URL || undefined,
    EMAIL_FROM: process.env.EMAIL_FROM || undefined,
    BURNRATE_MAILBOX: process.env.BURNRATE_MAILBOX || undefined,
  });
  if (!result.success) {
    // Never echo values: RESEND_API_KEY is a secret.
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid email environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

// /dev/mailbox is served outside production, or in a production build that opts in (the e2e server).
export function mailboxEnabled(): boolean {
  const e = emailEnv();
  return e.NODE_ENV !== "production" || e.BURNRATE_MAILBOX === "1";
}
