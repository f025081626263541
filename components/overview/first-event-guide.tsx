import Link from "next/link";

// A new org's overview: how to get the first event in, ready to paste — not an empty dashboard.
export function FirstEventGuide({ orgSlug, baseUrl, canIssueKeys }: { orgSlug: string; baseUrl: string; canIssueKeys: boolean }) {
  const curl = `curl -s ${baseUrl}/api/v1/events \\
  -H "Authorization: Bearer $BURNRATE_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"id": "first-call-1", "model": "gpt-4o-mini",
       "usage": {"input_tokens": 1200, "output_tokens": 300},
       "agent": "my-agent", "execution_id": "run-1"}'`;
  // The gateway: only the SDK's base URL and key change; the org's provider key is set once by an admin.
  const sdk = `import OpenAI from "openai";
const openai = new OpenAI({
  baseURL: "${baseUrl}/api/v1/gateway/openai/v1",
  apiKey: process.env.BURNRATE_KEY,
});

import Anthropic from "@anthropic-ai/sdk";
const anthropic = new Anthropic({
  baseURL: "${baseUrl}/api/v1/gateway/anthropic",
  apiKey: process.env.BURNRATE_KEY,
});

// Optional attribution, per call or as defaultHeaders:
await openai.chat.completions.create({ model, messages },
  { headers: { "x-burnrate-execution-id": runId, "x-burnrate-agent": "my-agent" } });`;
  const code = "block overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100 dark:bg-black/60";
  return (
    <section className="rounded-lg border border-orange-200 bg-white p-5 text-slate-900 shadow-sm sm:p-6 dark:border-orange-900 dark:bg-slate-900 dark:text-slate-100" data-testid="first-event-guide" aria-labelledby="first-event-title">
      <h2 id="first-event-title" className="text-lg font-semibold text-slate-900 dark:text-slate-50">Send your first event</h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
        This organization has no spend recorded yet. Two steps and this page shows your burn rate, projection and most expensive runs.
      </p>
      <ol className="mt-5 space-y-5 text-sm">
        <li>
          <div className="font-medium text-slate-900 dark:text-slate-100">1. Issue a key with the <code>ingest</code> scope (and <code>gateway</code> for step 3)</div>
          <p className="mt-1 text-slate-600 dark:text-slate-300">
            {canIssueKeys ? (
              <Link href={`/${orgSlug}/keys`} className="font-medium text-orange-700 underline underline-offset-2 hover:text-orange-900 dark:text-orange-400 dark:hover:text-orange-300" data-testid="issue-key-link">
                Issue a key on the keys page
              </Link>
            ) : (
              <>Ask an owner or admin to issue one on the keys page</>
            )}
            ; its secret is shown once. Keep it in <code>BURNRATE_KEY</code>.
          </p>
        </li>
        <li>
          <div className="font-medium text-slate-900 dark:text-slate-100">2. Report a call</div>
          <pre className={`mt-2 ${code}`} data-testid="first-event-curl">{curl}</pre>
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            The answer is <code>{`{"accepted": 1, …}`}</code> with the call&apos;s cost. <code>usage</code> can be pasted as OpenAI or Anthropic return it; <code>cost_usd</code> overrides the price list.
          </p>
        </li>
        <li>
          <div className="font-medium text-slate-900 dark:text-slate-100">3. Or send your agent&apos;s LLM calls through Burnrate: swap the SDK&apos;s baseURL</div>
          <pre className={`mt-2 ${code}`} data-testid="first-event-gateway">{sdk}</pre>
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            Only the base URL and the key change (the key needs the <code>gateway</code> scope): every call, streaming too, is forwarded with the organization&apos;s own OpenAI / Anthropic key, refused with a 429 over a blocking budget, and recorded at its exact cost — nothing to report.
            An admin sets the provider key once: <code>npm run admin -- credential set --org {orgSlug} --provider openai --key sk-…</code>. Or keep the SDK as it is and report usage as in step 2. Every field is in the API reference (<code>docs/api.md</code>).
          </p>
        </li>
      </ol>
    </section>
  );
}
