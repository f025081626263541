import type { Metadata } from "next";
import Link from "next/link";
import { mailboxEnabled } from "@/lib/email/config";

export const metadata: Metadata = { title: "Check your email" };
export const dynamic = "force-dynamic";

export default function CheckEmailPage() {
  return (
    <main className="mx-auto max-w-sm px-6 py-24">
      <h1 className="text-2xl font-semibold tracking-tight">Check your email</h1>
      <p className="mt-2 text-sm text-slate-600">A sign-in link is on its way. It works once and expires in 15 minutes.</p>
      {mailboxEnabled() && (
        <p className="mt-6 text-sm">
          Development: open the <Link className="font-medium text-orange-700 underline" href="/dev/mailbox">dev mailbox</Link>.
        </p>
      )}
    </main>
  );
}
