import { execFileSync, spawnSync } from "node:child_process";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { buildSnippets, encodeAttributeValue, isKeyText, KEY_SLOT, keyPlaceholder, NO_KEY_PLACEHOLDER, resourceAttributes, shellWord, type TSnippet, type TSnippetInput } from "./snippets";

const ORIGIN = "https://burnrate.acme.test";
const SECRET = "br_4fT9kQ2mZx7LpW0aBcDeFgHiJkLmNoPqRsTuVwXyZ012345";
// Everything a team slug (or cost center, or repository) could do to a shell line, a TOML or JSON
// string or a code literal.
const HOSTILE = `it's "ops" $(touch /tmp/pwned) \`id\` \\ ; & | > ! , = ü\n`;

const base: TSnippetInput = { origin: ORIGIN, key: SECRET, team: "platform", costCenter: "ENG-42", repository: "acme/api" };
const all = (s: Record<string, TSnippet[]>) => Object.values(s).flat();
const hasPythonToml = spawnSync("python3", ["-c", "import tomllib"]).status === 0;

// Runs a shell snippet in a clean bash and returns the environment it exported.
function exported(snippet: string, names: string[]): Record<string, string> {
  const script = `${snippet}\n${names.map((n) => `printf '%s\\0' "$${n}"`).join("\n")}`;
  const out = execFileSync("bash", ["--noprofile", "--norc", "-e", "-c", script], { encoding: "utf8", env: { NODE_ENV: "test", PATH: process.env.PATH ?? "" } });
  const values = out.split("\0");
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

function snippet(s: Record<string, TSnippet[]>, id: string): string {
  const found = all(s).find((x) => x.id === id);
  if (!found) throw new Error(`no snippet ${id}`);
  return found.text;
}

describe("Claude Code", () => {
  test("the shell lines export the OTLP endpoint of this server, the key as a bearer header and the attribution", () => {
    const s = buildSnippets(base);
    const text = snippet(s, "claude-code-shell");
    expect(text).toContain(`${ORIGIN}/api/v1/otlp`);
    expect(text).toContain("OTEL_EXPORTER_OTLP_HEADERS");
    const env = exported(text, ["CLAUDE_CODE_ENABLE_TELEMETRY", "OTEL_LOGS_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_RESOURCE_ATTRIBUTES"]);
    expect(env).toEqual({
      CLAUDE_CODE_ENABLE_TELEMETRY: "1",
      OTEL_LOGS_EXPORTER: "otlp",
      OTEL_METRICS_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_ENDPOINT: `${ORIGIN}/api/v1/otlp`,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${SECRET}`,
      OTEL_RESOURCE_ATTRIBUTES: "team=platform,cost_center=ENG-42,repository=acme/api",
    });
  });

  test("the managed-settings.json alternative carries the same variables in its env block", () => {
    const s = buildSnippets(base);
    const managed = JSON.parse(snippet(s, "claude-code-managed"));
    const shell = exported(snippet(s, "claude-code-shell"), Object.keys(managed.env));
    expect(managed.env).toEqual(shell);
  });

  test("a hostile team, cost center and repository stay one attribute value each and run nothing", () => {
    const s = buildSnippets({ ...base, team: HOSTILE, costCenter: "a,b=c", repository: "o'reilly/x y" });
    const env = exported(snippet(s, "claude-code-shell"), ["OTEL_RESOURCE_ATTRIBUTES"]);
    const pairs = env.OTEL_RESOURCE_ATTRIBUTES.split(",").map((p) => p.split("="));
    expect(pairs.map(([k]) => k)).toEqual(["team", "cost_center", "repository"]);
    expect(pairs.every((p) => p.length === 2)).toBe(true);
    // The values decode back to exactly what was chosen (SDKs percent-decode them), and every
    // character left is a W3C baggage octet (no space, quote, comma, semicolon or backslash).
    expect(pairs.map(([, v]) => decodeURIComponent(v))).toEqual([HOSTILE.trim(), "a,b=c", "o'reilly/x y"]);
    for (const [, v] of pairs) expect(v).toMatch(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/);
    const managed = JSON.parse(snippet(s, "claude-code-managed"));
    expect(managed.env.OTEL_RESOURCE_ATTRIBUTES).toBe(env.OTEL_RESOURCE_ATTRIBUTES);
  });

  test("without a team or repository the attribute is left out (the key's team applies) and the repository is hinted", () => {
    const text = snippet(buildSnippets({ origin: ORIGIN, key: SECRET }), "claude-code-shell");
    expect(text).not.toContain("OTEL_RESOURCE_ATTRIBUTES=");
    expect(text).toContain("repository=owner/repo");
  });
});

describe("Codex", () => {
  test("config.toml posts OTLP/HTTP protobuf logs to this server's /v1/logs with the key", () => {
    const text = snippet(buildSnippets(base), "codex-toml");
    expect(text).toContain(`${ORIGIN}/api/v1/otlp/v1/logs`);
    expect(text).toContain(`"Authorization" = "Bearer ${SECRET}"`);
    expect(text).toContain("log_user_prompt = false");
  });

  test.skipIf(!hasPythonToml)("is valid TOML with the [otel] exporter Codex documents", () => {
    const text = snippet(buildSnippets(base), "codex-toml");
    const parsed = JSON.parse(execFileSync("python3", ["-c", "import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))"], { input: text, encoding: "utf8" }));
    expect(parsed).toEqual({
      otel: {
        log_user_prompt: false,
        exporter: { "otlp-http": { endpoint: `${ORIGIN}/api/v1/otlp/v1/logs`, protocol: "binary", headers: { Authorization: `Bearer ${SECRET}` } } },
      },
    });
  });
});

describe("Gemini CLI", () => {
  test("settings.json points telemetry at this server over OTLP/HTTP; the shell lines carry the key and attribution", () => {
    const s = buildSnippets(base);
    expect(JSON.parse(snippet(s, "gemini-settings"))).toEqual({
      telemetry: { enabled: true, target: "local", otlpEndpoint: `${ORIGIN}/api/v1/otlp`, otlpProtocol: "http", logPrompts: false },
    });
    expect(exported(snippet(s, "gemini-shell"), ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_RESOURCE_ATTRIBUTES"])).toEqual({
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${SECRET}`,
      OTEL_RESOURCE_ATTRIBUTES: "team=platform,cost_center=ENG-42,repository=acme/api",
    });
  });
});

describe("OpenTelemetry GenAI instrumentation", () => {
  test("traces go to this server's /v1/traces with the key as a percent-encoded bearer header", () => {
    const text = snippet(buildSnippets(base), "genai-shell");
    expect(exported(text, ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"])).toEqual({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ORIGIN}/api/v1/otlp/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `Authorization=Bearer%20${SECRET}`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
      OTEL_RESOURCE_ATTRIBUTES: "team=platform,cost_center=ENG-42,repository=acme/api",
    });
  });
});

describe("events API", () => {
  test("the TypeScript snippet posts to this server's /api/v1/events with the key, the provider's usage verbatim and the attribution", () => {
    const text = snippet(buildSnippets({ ...base, team: HOSTILE }), "events-typescript");
    expect(text).toContain(`fetch("${ORIGIN}/api/v1/events"`);
    expect(text).toContain(`Authorization: "Bearer ${SECRET}"`);
    expect(text).toContain("usage: res.usage,");
    expect(text).toContain("execution_id: executionId,");
    expect(text).toContain(`team: ${JSON.stringify(HOSTILE.trim())},`);
    expect(text).toContain('cost_center: "ENG-42",');
    const out = ts.transpileModule(text, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    expect(out.diagnostics ?? []).toEqual([]);
  });

  test("the Python snippet is valid Python with the same fields", () => {
    const text = snippet(buildSnippets({ ...base, team: HOSTILE }), "events-python");
    expect(text).toContain(`BURNRATE_EVENTS = "${ORIGIN}/api/v1/events"`);
    expect(text).toContain(`BURNRATE_KEY = "${SECRET}"`);
    expect(text).toContain('"usage": res.usage.model_dump(exclude_none=True),');
    const check = spawnSync("python3", ["-c", "import sys; compile(sys.stdin.read(), 'snippet.py', 'exec')"], { input: text, encoding: "utf8" });
    if (check.error) return; // no python3 on this machine
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  test("only fields the events API accepts are sent (docs/api.md)", async () => {
    const { ZEventSchema } = await import("../ingest/event-schema");
    const text = snippet(buildSnippets(base), "events-typescript");
    const body = /body: JSON\.stringify\(\{([\s\S]*?)\}\),/.exec(text)![1];
    const fields = [...body.matchAll(/^\s*(\w+)(?::|,)/gm)].map((m) => m[1]);
    expect(fields).toEqual(["id", "provider", "model", "usage", "agent", "execution_id", "team", "cost_center", "repository"]);
    const sample = Object.fromEntries(fields.map((f) => [f, f === "usage" ? { prompt_tokens: 10, completion_tokens: 2 } : "x"]));
    expect(ZEventSchema.safeParse(sample).success).toBe(true);
  });
});

describe("the key", () => {
  test("every integration's setup carries the key (Gemini CLI's in its shell lines, not settings.json)", () => {
    for (const [id, snippets] of Object.entries(buildSnippets(base))) expect(snippets.map((s) => s.text).join(""), id).toContain(SECRET);
    expect(snippet(buildSnippets(base), "gemini-settings")).not.toContain(SECRET);
  });

  test("putting a secret or a placeholder where KEY_SLOT is gives exactly the snippets built with it", () => {
    const slotted = all(buildSnippets({ ...base, key: KEY_SLOT }));
    for (const key of [SECRET, keyPlaceholder("br_ab12"), NO_KEY_PLACEHOLDER]) {
      const built = all(buildSnippets({ ...base, key }));
      expect(slotted.map((s) => s.text.replaceAll(KEY_SLOT, key))).toEqual(built.map((s) => s.text));
    }
  });

  test("a placeholder keeps the shell line whole", () => {
    const placeholder = keyPlaceholder("br_ab12");
    expect(placeholder).toBe("<paste the key br_ab12…>");
    const env = exported(snippet(buildSnippets({ ...base, key: placeholder }), "claude-code-shell"), ["OTEL_EXPORTER_OTLP_HEADERS"]);
    expect(env.OTEL_EXPORTER_OTLP_HEADERS).toBe(`Authorization=Bearer ${placeholder}`);
  });

  test("anything else is refused as the key text, and so is an origin that is not one", () => {
    expect(isKeyText(`${SECRET}'; rm -rf ~`)).toBe(false);
    expect(isKeyText(keyPlaceholder("br_'$(x)"))).toBe(true); // the prefix is reduced to safe characters
    expect(() => buildSnippets({ ...base, key: "br_abc def" })).toThrow();
    expect(() => buildSnippets({ ...base, origin: "https://x.test/" })).toThrow();
    expect(() => buildSnippets({ ...base, origin: "https://x.test/$(id)" })).toThrow();
  });
});

describe("quoting helpers", () => {
  test("shellWord leaves plain words alone and single-quotes the rest", () => {
    expect(shellWord("http/protobuf")).toBe("http/protobuf");
    expect(shellWord("a b")).toBe("'a b'");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
  });

  test("attribute values are percent-encoded where baggage needs it and readable elsewhere", () => {
    expect(encodeAttributeValue("acme/api")).toBe("acme/api");
    expect(encodeAttributeValue("a b,c=d;e\"f'g")).toBe("a%20b%2Cc%3Dd%3Be%22f%27g");
    expect(resourceAttributes({ team: "  ", costCenter: null, repository: "x" })).toBe("repository=x");
  });
});
