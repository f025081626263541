import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

// Any unknown URL, and an org page for someone who is not a member (the same answer, on purpose).
export default function NotFound() {
  return (
    <main className="mx-auto max-w-md px-6 py-24">
      <h1 className="text-2xl font-semibold tracking-tight"><span className="text-orange-600">●</span> Page not found</h1>
      <p className="mt-2 text-sm text-slate-600">
        There is nothing at this address, or it belongs to an organization you are not a member of.
      </p>
      <p className="mt-6">
        <Link href="/" className="rounded-md bg-slate-900 px-4 py-2 text-sm text-white hover:bg-slate-700">Back to Burnrate</Link>
      </p>
    </main>
  );
}
