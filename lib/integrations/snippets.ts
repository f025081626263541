// Copy-paste setup for every way usage reaches Burnrate, filled in for this server (the
// integrations page). Pure: the same input always gives the same text, and every value is quoted
// for where it lands (a shell word, a TOML or JSON string, a TypeScript or Python literal), so a
// team slug with spaces or quotes can never break a line or run a command.

export const OTLP_BASE_PATH = "/api/v1/otlp";
export const EVENTS_PATH = "/api/v1/events";

// The places data comes from, as TelemetryReceipt.source names them (lib/otlp), plus the events API.
export type TIntegrationId = "claude_code" | "codex" | "gemini_cli" | "genai" | "events_api";
export type TSnippetLanguage = "shell" | "toml" | "json" | "typescript" | "python";
export type TSnippet = { id: string; title: string; language: TSnippetLanguage; text: string };

export type TSnippetInput = {
  // scheme://host[:port][/base], no trailing slash (lib/integrations/origin.ts).
  origin: string;
  // What goes where the key goes: a secret (br_…), a placeholder (keyPlaceholder) or KEY_SLOT.
  key: string;
  team?: string | null;
  costCenter?: string | null;
  repository?: string | null;
};

// The page renders the snippets once with this in the key's place; the browser puts the chosen
// key's placeholder or a just-issued secret there. It needs no quoting anywhere, and neither do the
// texts it is replaced with (keyText), so replacing it gives exactly what quoting those would
// (snippets.test.ts proves it for every snippet).
export const KEY_SLOT = "BURNRATE_KEY_SLOT";
export const NO_KEY_PLACEHOLDER = "<paste an ingest key>";

// "<paste the key br_ab12…>": a key's secret is shown once and stored hashed, so for an existing key
// the snippet says which one to paste.
export function keyPlaceholder(prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_]/g, "");
  return `<paste the key ${safe}…>`;
}

// Only texts that are safe unquoted inside every snippet's strings are accepted as the key.
const KEY_TEXT = /^(br_[A-Za-z0-9]{1,200}|<paste the key [A-Za-z0-9_]{0,64}…>|<paste an ingest key>|BURNRATE_KEY_SLOT)$/;
export function isKeyText(text: string): boolean {
  return KEY_TEXT.test(text);
}

// ---- quoting --------------------------------------------------------------------------------

// A POSIX shell word: as is when it has nothing the shell treats specially, else single-quoted
// (inside single quotes nothing is special but the quote itself, written '\'').
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// Always quoted: a value that holds the key (a placeholder has spaces and angle brackets).
function shellQuoted(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// OTEL_RESOURCE_ATTRIBUTES is `key=value,key=value` with W3C-baggage values: ",", "=", spaces,
// quotes and anything non-ASCII must be percent-encoded (SDKs decode them; an SDK drops the whole
// variable when a value has a space). Slashes, colons and @ are kept readable.
export function encodeAttributeValue(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, "/")
    .replace(/%3A/g, ":")
    .replace(/%40/g, "@");
}

// A TOML basic string.
function tomlString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

// JSON.stringify's string is also a valid TypeScript and Python string literal.
function literal(value: string): string {
  return JSON.stringify(value);
}

// ---- shared pieces ----------------------------------------------------------------------------

function clean(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

// team, cost_center and repository as Burnrate reads them from OTEL_RESOURCE_ATTRIBUTES.
export function resourceAttributes(input: Pick<TSnippetInput, "team" | "costCenter" | "repository">): string {
  const pairs: [string, string | null][] = [
    ["team", clean(input.team)],
    ["cost_center", clean(input.costCenter)],
    ["repository", clean(input.repository)],
  ];
  return pairs
    .filter((p): p is [string, string] => p[1] !== null)
    .map(([k, v]) => `${k}=${encodeAttributeValue(v)}`)
    .join(",");
}

function assertInput(input: TSnippetInput): void {
  if (!/^https?:\/\/[^\s"'\\`$]+$/.test(input.origin) || input.origin.endsWith("/")) throw new Error(`Not an origin: ${input.origin}`);
  if (!isKeyText(input.key)) throw new Error("The key text must be a secret, a key placeholder or KEY_SLOT");
}

function exportLine(name: string, value: string, alwaysQuote = false): string {
  return `export ${name}=${alwaysQuote ? shellQuoted(value) : shellWord(value)}`;
}

// ---- per tool -----------------------------------------------------------------------------------

function claudeCode(input: TSnippetInput): TSnippet[] {
  const endpoint = `${input.origin}${OTLP_BASE_PATH}`;
  const attributes = resourceAttributes(input);
  const env: [string, string][] = [
    ["CLAUDE_CODE_ENABLE_TELEMETRY", "1"],
    ["OTEL_LOGS_EXPORTER", "otlp"],
    ["OTEL_METRICS_EXPORTER", "otlp"],
    ["OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"],
    ["OTEL_EXPORTER_OTLP_ENDPOINT", endpoint],
    ["OTEL_EXPORTER_OTLP_HEADERS", `Authorization=Bearer ${input.key}`],
  ];
  if (attributes) env.push(["OTEL_RESOURCE_ATTRIBUTES", attributes]);
  const shell = [
    "# In ~/.zshrc or ~/.bashrc (or the terminal you start claude from)",
    ...env.map(([k, v]) => exportLine(k, v, k === "OTEL_EXPORTER_OTLP_HEADERS" || k === "OTEL_RESOURCE_ATTRIBUTES")),
  ];
  if (!clean(input.repository)) shell.push("# Per checkout (e.g. in its .envrc): add repository=owner/repo to OTEL_RESOURCE_ATTRIBUTES");
  const managed = JSON.stringify({ env: Object.fromEntries(env) }, null, 2);
  return [
    { id: "claude-code-shell", title: "Shell", language: "shell", text: `${shell.join("\n")}\n` },
    { id: "claude-code-managed", title: "managed-settings.json (whole team)", language: "json", text: `${managed}\n` },
  ];
}

function codex(input: TSnippetInput): TSnippet[] {
  const toml = [
    "# ~/.codex/config.toml (Codex reads [otel] from your user config only)",
    "[otel]",
    "log_user_prompt = false",
    "",
    '[otel.exporter."otlp-http"]',
    `endpoint = ${tomlString(`${input.origin}${OTLP_BASE_PATH}/v1/logs`)}`,
    'protocol = "binary"',
    "",
    '[otel.exporter."otlp-http".headers]',
    `"Authorization" = ${tomlString(`Bearer ${input.key}`)}`,
  ];
  return [{ id: "codex-toml", title: "~/.codex/config.toml", language: "toml", text: `${toml.join("\n")}\n` }];
}

function geminiCli(input: TSnippetInput): TSnippet[] {
  const settings = {
    telemetry: { enabled: true, target: "local", otlpEndpoint: `${input.origin}${OTLP_BASE_PATH}`, otlpProtocol: "http", logPrompts: false },
  };
  const attributes = resourceAttributes(input);
  const shell = [
    "# Where you run gemini: its exporters read the key from the environment",
    exportLine("OTEL_EXPORTER_OTLP_HEADERS", `Authorization=Bearer ${input.key}`, true),
    ...(attributes ? [exportLine("OTEL_RESOURCE_ATTRIBUTES", attributes, true)] : []),
  ];
  return [
    { id: "gemini-settings", title: "~/.gemini/settings.json", language: "json", text: `${JSON.stringify(settings, null, 2)}\n` },
    { id: "gemini-shell", title: "Shell", language: "shell", text: `${shell.join("\n")}\n` },
  ];
}

function genai(input: TSnippetInput): TSnippet[] {
  const attributes = resourceAttributes(input);
  const shell = [
    "# The environment of your instrumented agent's process",
    exportLine("OTEL_TRACES_EXPORTER", "otlp"),
    exportLine("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"),
    exportLine("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", `${input.origin}${OTLP_BASE_PATH}/v1/traces`),
    "# %20 is the space in \"Bearer <key>\": every OpenTelemetry SDK decodes it",
    exportLine("OTEL_EXPORTER_OTLP_TRACES_HEADERS", `Authorization=Bearer%20${input.key}`, true),
    ...(attributes ? [exportLine("OTEL_RESOURCE_ATTRIBUTES", attributes, true)] : []),
  ];
  return [{ id: "genai-shell", title: "Shell", language: "shell", text: `${shell.join("\n")}\n` }];
}

// Attribution fields of the events API (docs/api.md) chosen on the page, as code lines.
function eventAttribution(input: TSnippetInput, indent: string, python: boolean): string[] {
  const fields: [string, string | null][] = [
    ["team", clean(input.team)],
    ["cost_center", clean(input.costCenter)],
    ["repository", clean(input.repository)],
  ];
  return fields.filter(([, v]) => v !== null).map(([k, v]) => (python ? `${indent}${literal(k)}: ${literal(v!)},` : `${indent}${k}: ${literal(v!)},`));
}

function eventsApi(input: TSnippetInput): TSnippet[] {
  const url = `${input.origin}${EVENTS_PATH}`;
  const ts = [
    'import Anthropic from "@anthropic-ai/sdk";',
    'import OpenAI from "openai";',
    "",
    "// After each call, send its usage to Burnrate as the provider returned it. The response id is",
    "// the event id, so a retried report is counted once.",
    "async function reportToBurnrate(provider: \"openai\" | \"anthropic\", res: { id: string; model: string; usage?: unknown }, executionId: string) {",
    `  const answer = await fetch(${literal(url)}, {`,
    '    method: "POST",',
    `    headers: { Authorization: ${literal(`Bearer ${input.key}`)}, "content-type": "application/json" },`,
    "    body: JSON.stringify({",
    "      id: res.id,",
    "      provider,",
    "      model: res.model,",
    "      usage: res.usage,",
    '      agent: "my-agent",',
    "      execution_id: executionId,",
    ...eventAttribution(input, "      ", false),
    "    }),",
    "  });",
    "  if (!answer.ok) console.warn(`Burnrate: ${answer.status} ${await answer.text()}`);",
    "}",
    "",
    "const runId = crypto.randomUUID(); // one agent run = one execution",
    "",
    "const openai = new OpenAI();",
    'const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] });',
    'await reportToBurnrate("openai", completion, runId);',
    "",
    "const anthropic = new Anthropic();",
    'const message = await anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "Hello" }] });',
    'await reportToBurnrate("anthropic", message, runId);',
  ];
  const py = [
    "import uuid",
    "",
    "import httpx  # installed with the openai and anthropic packages",
    "from anthropic import Anthropic",
    "from openai import OpenAI",
    "",
    `BURNRATE_EVENTS = ${literal(url)}`,
    `BURNRATE_KEY = ${literal(input.key)}`,
    "",
    "",
    "def report_to_burnrate(provider, res, execution_id):",
    '    """After each call, send its usage to Burnrate as the provider returned it."""',
    "    answer = httpx.post(BURNRATE_EVENTS, headers={\"Authorization\": f\"Bearer {BURNRATE_KEY}\"}, json={",
    '        "id": res.id,  # a retried report is counted once',
    '        "provider": provider,',
    '        "model": res.model,',
    '        "usage": res.usage.model_dump(exclude_none=True),',
    '        "agent": "my-agent",',
    '        "execution_id": execution_id,',
    ...eventAttribution(input, "        ", true),
    "    })",
    "    if answer.is_error:",
    '        print(f"Burnrate: {answer.status_code} {answer.text}")',
    "",
    "",
    "run_id = str(uuid.uuid4())  # one agent run = one execution",
    "",
    'completion = OpenAI().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])',
    'report_to_burnrate("openai", completion, run_id)',
    "",
    'message = Anthropic().messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=[{"role": "user", "content": "Hello"}])',
    'report_to_burnrate("anthropic", message, run_id)',
  ];
  return [
    { id: "events-typescript", title: "TypeScript", language: "typescript", text: `${ts.join("\n")}\n` },
    { id: "events-python", title: "Python", language: "python", text: `${py.join("\n")}\n` },
  ];
}

export function buildSnippets(input: TSnippetInput): Record<TIntegrationId, TSnippet[]> {
  assertInput(input);
  return {
    claude_code: claudeCode(input),
    codex: codex(input),
    gemini_cli: geminiCli(input),
    genai: genai(input),
    events_api: eventsApi(input),
  };
}
