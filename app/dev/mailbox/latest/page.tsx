import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { mailboxEnabled } from "@/lib/email/config";
import { latestCapturedEmail } from "@/lib/email/mailbox";
import { MailboxBanner } from "../_components/mailbox-banner";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Mailbox", robots: { index: false } };

// /dev/mailbox/latest?to=<email> opens the newest email to that address (or the newest of all):
// one URL for a person or a test to follow after asking for a sign-in link.
export default async function LatestEmailPage({ searchParams }: { searchParams: Promise<{ to?: string | string[] }> }) {
  if (!mailboxEnabled()) notFound();
  const raw = (await searchParams).to;
  const to = (Array.isArray(raw) ? raw[0] : raw)?.trim() || undefined;
  const latest = await latestCapturedEmail(to);
  if (latest) redirect(`/dev/mailbox/${latest.id}`);

  return (
    <>
      <MailboxBanner />
      <main className="mx-auto max-w-5xl px-6 py-8">
        <p data-testid="mailbox-empty" className="text-sm text-slate-500">
          {to ? `No email to ${to} yet.` : "No email captured yet."}{" "}
          <Link href={to ? `/dev/mailbox/latest?to=${encodeURIComponent(to)}` : "/dev/mailbox/latest"} className="text-orange-700 hover:underline">
            Check again
          </Link>
        </p>
      </main>
    </>
  );
}
