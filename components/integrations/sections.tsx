import type { ReactNode } from "react";
import type { TIntegrationStatus } from "@/lib/integrations/last-received";
import type { TIntegrationId, TSnippet } from "@/lib/integrations/snippets";
import { StatusDot, type TIntegrationSection } from "./integrations-setup";

const TITLES: Record<TIntegrationId, string> = {
  claude_code: "Claude Code",
  codex: "Codex",
  gemini_cli: "Gemini CLI",
  genai: "Any OpenTelemetry GenAI instrumentation",
  events_api: "OpenAI / Anthropic SDKs — events API",
};
const SHORT: Record<TIntegrationId, string> = { claude_code: "Claude Code", codex: "Codex", gemini_cli: "Gemini CLI", genai: "OTel GenAI", events_api: "Events API" };
const STATE_WORD = { live: "Receiving", stale: "Quiet", never: "No data yet" } as const;

function C({ children }: { children: ReactNode }) {
  return <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.8em] dark:bg-slate-800">{children}</code>;
}

function intro(id: TIntegrationId, origin: string): ReactNode {
  switch (id) {
    case "claude_code":
      return (
        <>
          <p>Claude Code exports its logs (every API request with tokens and cost) and metrics over OpenTelemetry. Set these in the shell that starts <C>claude</C>:</p>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            Rolling out to a team: put the same variables in the <C>env</C> block of Claude Code&apos;s managed settings file —{" "}
            <C>/Library/Application Support/ClaudeCode/managed-settings.json</C> on macOS, <C>/etc/claude-code/managed-settings.json</C> on Linux — and every
            developer&apos;s sessions report without anyone editing a profile.
          </p>
        </>
      );
    case "codex":
      return (
        <p>
          Codex exports OpenTelemetry log events (each response&apos;s token counts) when its <C>[otel]</C> table names an exporter. Add this to your user config;
          prompts stay out (<C>log_user_prompt = false</C>). Codex sends the user&apos;s email and conversation id; the team and cost center come from the key, so use
          a key issued for the team.
        </p>
      );
    case "gemini_cli":
      return (
        <p>
          Gemini CLI sends logs and metrics over OTLP/HTTP to <C>{`${origin}/api/v1/otlp`}</C> (it adds <C>/v1/logs</C>, <C>/v1/metrics</C>). Merge the{" "}
          <C>telemetry</C> block into your settings file, then set the header in the environment Gemini CLI runs in:
        </p>
      );
    case "genai":
      return (
        <p>
          OpenLLMetry, OpenInference, the OpenAI Agents SDK, LangGraph and anything else emitting OpenTelemetry GenAI spans (<C>gen_ai.usage.*</C>): point the
          trace exporter at Burnrate. Only spans are needed.
        </p>
      );
    case "events_api":
      return (
        <p>
          No OpenTelemetry? Keep your client as it is and, after each call, post its <C>usage</C> exactly as OpenAI or Anthropic returned it to{" "}
          <C>{`${origin}/api/v1/events`}</C>. Burnrate prices every token; <C>execution_id</C> groups a run&apos;s calls. Every field is in <C>docs/api.md</C>.
        </p>
      );
  }
}

export function integrationSections(snippets: Record<TIntegrationId, TSnippet[]>, statuses: Record<TIntegrationId, TIntegrationStatus>, origin: string): TIntegrationSection[] {
  return (Object.keys(TITLES) as TIntegrationId[]).map((id) => ({ id, title: TITLES[id], status: statuses[id], intro: intro(id, origin), snippets: snippets[id] }));
}

// The page's first screen: which integrations are sending data, each a link to its setup.
export function IntegrationsOverview({ statuses }: { statuses: Record<TIntegrationId, TIntegrationStatus> }) {
  return (
    <nav aria-label="Integrations" className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5" data-testid="integrations-overview">
      {(Object.keys(SHORT) as TIntegrationId[]).map((id) => (
        <a
          key={id}
          href={`#${id}`}
          title={statuses[id].title}
          data-testid={`overview-${id}`}
          data-state={statuses[id].state}
          className="min-w-0 rounded-lg border border-slate-200 bg-white px-3 py-2.5 shadow-sm hover:border-orange-300 focus-visible:outline-2 focus-visible:outline-orange-500 dark:border-slate-800 dark:bg-slate-900 dark:hover:border-orange-800"
        >
          <span className="block text-sm font-semibold text-slate-900 dark:text-slate-50">{SHORT[id]}</span>
          <span className="mt-1 flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300">
            <StatusDot state={statuses[id].state} />
            <span className="truncate">{statuses[id].latest ? `${STATE_WORD[statuses[id].state]} · ${statuses[id].latest}` : STATE_WORD.never}</span>
          </span>
        </a>
      ))}
    </nav>
  );
}

// Which resource attributes Burnrate reads from OpenTelemetry data, for attribution.
export function AttributionNote() {
  const rows: [string, string][] = [
    ["team / team.id", "team slug (else the key's team)"],
    ["cost_center", "cost center code (else the team's)"],
    ["repository / repo", "owner/repo"],
    ["branch", "git branch"],
    ["pull_request / pr", "pull request number"],
    ["feature", "product feature"],
    ["user.email, session.id", "sent by the tools themselves"],
  ];
  return (
    <section aria-labelledby="attribution-title" className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm sm:p-5 dark:border-slate-800 dark:bg-slate-900" data-testid="attribution-note">
      <h2 id="attribution-title" className="text-base font-semibold text-slate-900 dark:text-slate-50">Attribution: what Burnrate reads</h2>
      <p className="mt-1 text-slate-600 dark:text-slate-300">
        From <C>OTEL_RESOURCE_ATTRIBUTES</C> (comma-separated <C>key=value</C>, values percent-encoded — <C>%20</C> for a space), or the same-named event fields:
      </p>
      <dl className="mt-3 grid gap-x-6 gap-y-1.5 sm:grid-cols-2">
        {rows.map(([key, what]) => (
          <div key={key} className="flex min-w-0 flex-wrap gap-x-2">
            <dt className="font-mono text-xs text-slate-900 dark:text-slate-100">{key}</dt>
            <dd className="text-xs text-slate-500 dark:text-slate-400">{what}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
