import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { mailboxEnabled } from "@/lib/email/config";
import { listCapturedEmails } from "@/lib/email/mailbox";
import { MailboxBanner } from "./_components/mailbox-banner";
import { absoluteTime, relativeTime } from "@/lib/email/format";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Mailbox", robots: { index: false } };

export default async function MailboxPage({ searchParams }: { searchParams: Promise<{ to?: string | string[] }> }) {
  if (!mailboxEnabled()) notFound();
  const raw = (await searchParams).to;
  const to = (Array.isArray(raw) ? raw[0] : raw)?.trim() || undefined;
  const emails = await listCapturedEmails({ to, limit: 200 });
  const now = new Date();

  return (
    <>
      <MailboxBanner />
      <main className="mx-auto max-w-5xl space-y-6 px-6 py-8">
        <header className="flex flex-wrap items-end justify-between gap-4">
          <div>
            <h1 className="text-2xl font-semibold tracking-tight">Mailbox</h1>
            <p className="text-sm text-slate-500">
              {to ? (
                <>
                  Emails to <span className="font-medium text-slate-700">{to}</span>, newest first ·{" "}
                  <Link href="/dev/mailbox" className="text-orange-700 hover:underline">
                    show all
                  </Link>
                </>
              ) : (
                "Every captured email, newest first."
              )}
            </p>
          </div>
          <form action="/dev/mailbox" method="get" className="flex gap-2">
            <input
              type="email"
              name="to"
              defaultValue={to}
              placeholder="Filter by recipient"
              aria-label="Filter by recipient"
              className="w-64 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm focus:border-orange-500 focus:outline-none focus:ring-1 focus:ring-orange-500"
            />
            <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
              Filter
            </button>
          </form>
        </header>

        <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
          {emails.length === 0 ? (
            <p data-testid="mailbox-empty" className="px-5 py-10 text-center text-sm text-slate-500">
              {to ? `No email to ${to} yet.` : "No email captured yet."}
            </p>
          ) : (
            <ul data-testid="mailbox-list" className="divide-y divide-slate-100">
              {emails.map((email) => (
                <li key={email.id} data-testid="mailbox-item" data-id={email.id} data-to={email.to.join(",")}>
                  <Link href={`/dev/mailbox/${email.id}`} className="flex items-baseline gap-4 px-5 py-3 hover:bg-slate-50">
                    <span className="w-56 shrink-0 truncate text-sm text-slate-600" title={email.to.join(", ")}>
                      {email.to.join(", ")}
                    </span>
                    <span data-testid="mailbox-subject" className="min-w-0 flex-1 truncate text-sm font-medium text-slate-900">
                      {email.subject}
                    </span>
                    <time dateTime={email.createdAt.toISOString()} title={absoluteTime(email.createdAt)} className="shrink-0 text-xs tabular-nums text-slate-500">
                      {relativeTime(email.createdAt, now)}
                    </time>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      </main>
    </>
  );
}
