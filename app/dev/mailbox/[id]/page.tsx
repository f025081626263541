import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { mailboxEnabled } from "@/lib/email/config";
import { getCapturedEmail } from "@/lib/email/mailbox";
import { MailboxBanner } from "../_components/mailbox-banner";
import { LinkifiedText } from "../_components/linkified-text";
import { absoluteTime, relativeTime } from "@/lib/email/format";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Mailbox", robots: { index: false } };

// The captured HTML runs in a sandbox without scripts or same-origin access; links open in a new,
// unsandboxed tab (react-email links carry target="_blank") or, on a click, in this one.
const IFRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation";

export default async function MailboxEmailPage({ params }: { params: Promise<{ id: string }> }) {
  if (!mailboxEnabled()) notFound();
  const { id } = await params;
  const email = await getCapturedEmail(id);
  if (!email) notFound();
  const firstTo = email.to[0];

  return (
    <>
      <MailboxBanner />
      <main className="mx-auto max-w-5xl space-y-6 px-6 py-8">
        <nav className="text-sm">
          <Link href={firstTo ? `/dev/mailbox?to=${encodeURIComponent(firstTo)}` : "/dev/mailbox"} className="text-orange-700 hover:underline">
            ← Back to mailbox
          </Link>
        </nav>

        <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
          <h1 data-testid="mailbox-email-subject" className="border-b border-slate-100 px-5 py-4 text-xl font-semibold tracking-tight">
            {email.subject}
          </h1>
          <dl className="grid grid-cols-[5rem_1fr] gap-x-4 gap-y-1 px-5 py-4 text-sm">
            <dt className="text-slate-500">From</dt>
            <dd className="text-slate-800">{email.from}</dd>
            <dt className="text-slate-500">To</dt>
            <dd data-testid="mailbox-email-to" className="text-slate-800">
              {email.to.join(", ")}
            </dd>
            <dt className="text-slate-500">Subject</dt>
            <dd className="text-slate-800">{email.subject}</dd>
            <dt className="text-slate-500">Date</dt>
            <dd className="text-slate-800">
              <time dateTime={email.createdAt.toISOString()}>
                {absoluteTime(email.createdAt)} · {relativeTime(email.createdAt, new Date())}
              </time>
            </dd>
          </dl>
        </section>

        <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
          <h2 className="border-b border-slate-100 px-5 py-3 text-sm font-semibold text-slate-700">HTML</h2>
          <iframe
            title={`HTML body of “${email.subject}”`}
            data-testid="mailbox-html"
            srcDoc={email.html}
            sandbox={IFRAME_SANDBOX}
            referrerPolicy="no-referrer"
            className="h-[640px] w-full rounded-b-lg bg-white"
          />
        </section>

        <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
          <h2 className="border-b border-slate-100 px-5 py-3 text-sm font-semibold text-slate-700">Plain text</h2>
          <LinkifiedText text={email.text} />
        </section>
      </main>
    </>
  );
}
