import Link from "next/link";

export default function Home() {
  return (
    <main className="mx-auto max-w-2xl px-6 py-24">
      <h1 className="text-4xl font-semibold tracking-tight">Burnrate</h1>
      <p className="mt-4 text-lg text-slate-600">
        Know which agent, task and team spent your LLM money — and stop a runaway before it drains the budget.
      </p>
      {process.env.NODE_ENV !== "production" && (
        <p className="mt-8">
          <Link href="/demo/overview" className="rounded-md bg-slate-900 px-4 py-2 text-white hover:bg-slate-700">
            Open the demo org
          </Link>
        </p>
      )}
    </main>
  );
}
