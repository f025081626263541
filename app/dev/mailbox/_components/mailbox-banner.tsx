import Link from "next/link";

export function MailboxBanner() {
  return (
    <div className="border-b border-amber-200 bg-amber-50 px-6 py-2 text-sm text-amber-900">
      <div className="mx-auto flex max-w-5xl items-center justify-between gap-4">
        <p>
          <strong className="font-semibold">Development mailbox</strong> — emails are captured here because{" "}
          <code className="rounded bg-amber-100 px-1 font-mono text-xs">RESEND_API_KEY</code> is not set.
        </p>
        <Link href="/dev/mailbox" className="shrink-0 font-medium text-amber-900 underline-offset-2 hover:underline">
          All emails
        </Link>
      </div>
    </div>
  );
}
