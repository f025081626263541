// The demo's Claude Code developers: two people on the platform team ran Claude Code with its
// OpenTelemetry export pointed at Burnrate over the last two days. Their log events go through the
// real OTLP path (decode → Claude Code mapper → the events API's ingest), so the overview shows
// their spend by repository and developer and the integrations page says Claude Code is sending.
import { decodeExport } from "../../lib/otlp/decode";
import { ingestLogs } from "../../lib/otlp/logs";
import { translateLogs } from "../../lib/otlp/translate";
import type { TAuthenticatedKey } from "../../lib/keys/authenticate";

const DEVELOPERS = [
  { email: "alice@acme.dev", repository: "acme/web" },
  { email: "maya@acme.dev", repository: "acme/api" },
] as const;
const SESSIONS_EACH = 3;
const PROMPTS_PER_SESSION = 3;
const CALLS_PER_PROMPT = 4;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const nanos = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);

// Deterministic: the same calls every seed, placed relative to `now`.
export function claudeCodeDemoExport(now: Date) {
  const records: unknown[] = [];
  let n = 0;
  DEVELOPERS.forEach((dev, d) => {
    for (let s = 0; s < SESSIONS_EACH; s++) {
      const session = `cc-demo-${d}-${s}`;
      // Sessions 14 h apart, the newest an hour ago.
      const start = now.getTime() - 3600_000 - (SESSIONS_EACH - 1 - s) * 14 * 3600_000 - d * 40 * 60_000;
      for (let p = 0; p < PROMPTS_PER_SESSION; p++) {
        const prompt = `${session}-p${p}`;
        for (let c = 0; c < CALLS_PER_PROMPT; c++) {
          n++;
          const at = start + p * 6 * 60_000 + c * 40_000;
          const input = 800 + ((n * 137) % 2400);
          const output = 300 + ((n * 89) % 1600);
          const cacheRead = 18_000 + c * 9_000;
          const cacheWrite = c === 0 ? 4_000 : 600;
          // Claude Sonnet 4.5's prices: input $3, output $15, cache read $0.30, cache write $3.75 per million.
          const cost = (input * 3 + output * 15 + cacheRead * 0.3 + cacheWrite * 3.75) / 1e6;
          const subagent = c === 3 && p === 1;
          // What every record of this prompt carries, whichever event it is.
          const about = (event: string) => [str("session.id", session), str("prompt.id", prompt), str("user.email", dev.email), str("event.name", event)];
          records.push({
            timeUnixNano: nanos(at),
            body: { stringValue: "claude_code.api_request" },
            attributes: [
              ...about("api_request"),
              { key: "event.sequence", value: { intValue: String(p * 10 + c) } },
              str("model", "claude-sonnet-4-5"),
              str("input_tokens", String(input)),
              str("output_tokens", String(output)),
              str("cache_read_tokens", String(cacheRead)),
              str("cache_creation_tokens", String(cacheWrite)),
              str("cost_usd", cost.toFixed(6)),
              str("duration_ms", String(4000 + ((n * 311) % 9000))),
              str("request_id", `req_demo_${session}_${p}_${c}`),
              str("client_request_id", `creq_demo_${session}_${p}_${c}`),
              str("query_source", subagent ? "subagent" : "repl_main_thread"),
              str("repo", dev.repository),
              ...(subagent ? [str("agent.name", "code-reviewer")] : []),
            ],
          });
          if (c < CALLS_PER_PROMPT - 1) {
            records.push({
              timeUnixNano: nanos(at + 20_000),
              body: { stringValue: "claude_code.tool_result" },
              attributes: [
                ...about("tool_result"),
                str("tool_name", ["Read", "Edit", "Bash"][c]),
                str("tool_use_id", `toolu_demo_${session}_${p}_${c}`),
                str("success", "true"),
                str("duration_ms", String(300 + c * 700)),
                str("repo", dev.repository),
              ],
            });
          }
        }
      }
    }
  });
  return {
    resourceLogs: [
      {
        resource: { attributes: [str("service.name", "claude-code"), str("service.version", "2.1.230"), str("team", "platform"), str("cost_center", "ENG-100")] },
        scopeLogs: [{ scope: { name: "com.anthropic.claude_code.events", version: "2.1.230" }, logRecords: records }],
      },
    ],
  };
}

// Sends the export through the OTLP path with the org's Claude Code key; the number of events stored.
export async function seedClaudeCodeTelemetry(key: TAuthenticatedKey, now: Date): Promise<number> {
  const body = Buffer.from(JSON.stringify(claudeCodeDemoExport(now)));
  const decoded = decodeExport("logs", "json", body);
  if (decoded.signal !== "logs") throw new Error("not a logs export");
  const records = decoded.count;
  const result = await ingestLogs(key, translateLogs(decoded.resources));
  if (result.rejected) throw new Error(`the demo's Claude Code export was not taken whole: ${result.message}`);
  return records;
}
