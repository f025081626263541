// Turns the token usage an agent reports (in our own format or copied verbatim from an OpenAI or
// Anthropic response) into one canonical shape in which every token appears in exactly one class,
// so pricing can bill each token once. Hand-written checks: this runs for every ingested event.

export type TCanonicalUsage = {
  /** Input tokens NOT served from or written to the prompt cache. */
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** The part of cacheWriteTokens written with a one-hour TTL (Anthropic's `ephemeral_1h_input_tokens`). */
  cacheWrite1hTokens: number;
  /** All output tokens, reasoning included. */
  outputTokens: number;
  /** The reasoning/thinking part of outputTokens. */
  reasoningTokens: number;
};

export type TUsageError = { path: string; message: string };

export type TNormalizeUsageResult = { ok: true; usage: TCanonicalUsage } | { ok: false; errors: TUsageError[] };

type TObj = Record<string, unknown>;

function isObject(v: unknown): v is TObj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function countError(v: unknown): string {
  if (typeof v === "string") return `must be a JSON number, not a string (got "${v.length > 24 ? `${v.slice(0, 24)}...` : v}")`;
  if (typeof v !== "number") return `must be a non-negative integer token count (got ${typeName(v)})`;
  if (!Number.isFinite(v)) return `must be a finite number (got ${v})`;
  if (!Number.isInteger(v)) return `must be a whole number of tokens (got ${v})`;
  if (v < 0) return `must not be negative (got ${v})`;
  return `is larger than the largest exact integer ${Number.MAX_SAFE_INTEGER} (got ${v})`;
}

// A token count: absent or null -> 0 (OpenAI sends nulls); anything but a non-negative safe integer is an
// error. `prefix` is the parent path ("" or "prompt_tokens_details.") and is only joined on error.
function count(obj: TObj, key: string, prefix: string, errors: TUsageError[]): number {
  const v = obj[key];
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  errors.push({ path: prefix + key, message: countError(v) });
  return 0;
}

// A nested details object: absent or null -> undefined; a non-object is an error.
function nested(obj: TObj, key: string, errors: TUsageError[]): TObj | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (isObject(v)) return v;
  errors.push({ path: key, message: `must be an object or null (got ${typeName(v)})` });
  return undefined;
}

// OpenAI Responses calls it reasoning_tokens, Anthropic thinking_tokens; both are a subset of output_tokens.
function reasoningFromDetails(details: TObj | undefined, output: number, errors: TUsageError[]): number {
  if (!details) return 0;
  if (details.reasoning_tokens != null && details.thinking_tokens != null) {
    errors.push({ path: "output_tokens_details", message: "has both reasoning_tokens and thinking_tokens; send one" });
    return 0;
  }
  const key = details.thinking_tokens != null ? "thinking_tokens" : "reasoning_tokens";
  const reasoning = count(details, key, "output_tokens_details.", errors);
  checkNotAbove(reasoning, `output_tokens_details.${key}`, output, "output_tokens", "output_tokens includes reasoning tokens", errors);
  return reasoning;
}

function checkNotAbove(part: number, partPath: string, whole: number, wholeName: string, why: string, errors: TUsageError[]): void {
  if (part > whole) errors.push({ path: partPath, message: `(${part}) cannot exceed ${wholeName} (${whole}): ${why}` });
}

// Fields that identify a format. input_tokens / output_tokens are shared by canonical, Responses and
// Anthropic (and mean the same when no cache is involved); output_tokens_details by Responses and Anthropic.
const FORMATS: readonly { name: string; fields: readonly string[] }[] = [
  { name: "OpenAI Chat Completions", fields: ["prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details"] },
  { name: "Burnrate canonical", fields: ["cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens"] },
  { name: "OpenAI Responses", fields: ["input_tokens_details"] },
  { name: "Anthropic Messages", fields: ["cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation"] },
];
const KNOWN_FIELDS: readonly string[] = ["input_tokens", "output_tokens", "output_tokens_details", ...FORMATS.flatMap((f) => f.fields)];
const CHAT = 0;
const CANONICAL = 1;
const RESPONSES = 2;
const ANTHROPIC = 3;

function present(raw: TObj, fields: readonly string[]): string[] {
  return fields.filter((f) => raw[f] != null);
}

function mixedFormats(raw: TObj, formats: number[], conflictingShared: string[]): TUsageError {
  const parts = formats.map((i) => `${present(raw, FORMATS[i].fields).join(", ")} (${FORMATS[i].name})`);
  if (conflictingShared.length) parts.push(`${conflictingShared.join(", ")} (OpenAI Responses / Anthropic / canonical)`);
  return {
    path: "",
    message: `mixes fields of different usage formats: ${parts.join(" and ")}; send a single format so no token is counted twice`,
  };
}

function chatUsage(raw: TObj, errors: TUsageError[]): TCanonicalUsage {
  const prompt = count(raw, "prompt_tokens", "", errors);
  const completion = count(raw, "completion_tokens", "", errors);
  const pd = nested(raw, "prompt_tokens_details", errors);
  const cd = nested(raw, "completion_tokens_details", errors);
  let cached = pd ? count(pd, "cached_tokens", "prompt_tokens_details.", errors) : 0;
  let cachedPath = "prompt_tokens_details.cached_tokens";
  // DeepSeek's OpenAI-compatible API reports cache hits at top level instead.
  if (pd?.cached_tokens == null && raw.prompt_cache_hit_tokens != null) {
    cached = count(raw, "prompt_cache_hit_tokens", "", errors);
    cachedPath = "prompt_cache_hit_tokens";
  }
  const reasoning = cd ? count(cd, "reasoning_tokens", "completion_tokens_details.", errors) : 0;
  checkNotAbove(cached, cachedPath, prompt, "prompt_tokens", "prompt_tokens includes cached tokens", errors);
  checkNotAbove(reasoning, "completion_tokens_details.reasoning_tokens", completion, "completion_tokens", "completion_tokens includes reasoning tokens", errors);
  return { inputTokens: prompt - cached, cacheReadTokens: cached, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: completion, reasoningTokens: reasoning };
}

// Also used for plain {input_tokens, output_tokens}: without cache details every format agrees.
function responsesUsage(raw: TObj, errors: TUsageError[]): TCanonicalUsage {
  const input = count(raw, "input_tokens", "", errors);
  const output = count(raw, "output_tokens", "", errors);
  const id = nested(raw, "input_tokens_details", errors);
  const cached = id ? count(id, "cached_tokens", "input_tokens_details.", errors) : 0;
  const reasoning = reasoningFromDetails(nested(raw, "output_tokens_details", errors), output, errors);
  checkNotAbove(cached, "input_tokens_details.cached_tokens", input, "input_tokens", "input_tokens includes cached tokens", errors);
  return { inputTokens: input - cached, cacheReadTokens: cached, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: output, reasoningTokens: reasoning };
}

function anthropicUsage(raw: TObj, errors: TUsageError[]): TCanonicalUsage {
  // Anthropic's input_tokens already EXCLUDES cache reads and writes.
  const input = count(raw, "input_tokens", "", errors);
  const output = count(raw, "output_tokens", "", errors);
  const cacheRead = count(raw, "cache_read_input_tokens", "", errors);
  let cacheWrite = count(raw, "cache_creation_input_tokens", "", errors);
  let cacheWrite1h = 0;
  const cc = nested(raw, "cache_creation", errors);
  if (cc) {
    // The TTL split is a breakdown of cache_creation_input_tokens (the total, when missing); its 1h
    // part is billed at a higher rate.
    cacheWrite1h = count(cc, "ephemeral_1h_input_tokens", "cache_creation.", errors);
    const split = count(cc, "ephemeral_5m_input_tokens", "cache_creation.", errors) + cacheWrite1h;
    if (!Number.isSafeInteger(split)) errors.push({ path: "cache_creation", message: "token counts add up to more than the largest exact integer" });
    else if (raw.cache_creation_input_tokens == null) cacheWrite = split;
    else {
      checkNotAbove(split, "cache_creation", cacheWrite, "cache_creation_input_tokens", "the 5m/1h split is a breakdown of that total", errors);
    }
  }
  const reasoning = reasoningFromDetails(nested(raw, "output_tokens_details", errors), output, errors);
  return { inputTokens: input, cacheReadTokens: cacheRead, cacheWriteTokens: cacheWrite, cacheWrite1hTokens: cacheWrite1h, outputTokens: output, reasoningTokens: reasoning };
}

function canonicalUsage(raw: TObj, errors: TUsageError[]): TCanonicalUsage {
  const output = count(raw, "output_tokens", "", errors);
  const reasoning = count(raw, "reasoning_tokens", "", errors);
  checkNotAbove(reasoning, "reasoning_tokens", output, "output_tokens", "output_tokens includes reasoning tokens", errors);
  const cacheWrite = count(raw, "cache_write_tokens", "", errors);
  const cacheWrite1h = count(raw, "cache_write_1h_tokens", "", errors);
  checkNotAbove(cacheWrite1h, "cache_write_1h_tokens", cacheWrite, "cache_write_tokens", "cache_write_tokens includes the one-hour writes", errors);
  return {
    inputTokens: count(raw, "input_tokens", "", errors),
    cacheReadTokens: count(raw, "cache_read_tokens", "", errors),
    cacheWriteTokens: cacheWrite,
    cacheWrite1hTokens: cacheWrite1h,
    outputTokens: output,
    reasoningTokens: reasoning,
  };
}

/**
 * Validates and normalises one usage object. Accepted, recognised by field names:
 * Burnrate canonical {input_tokens (uncached), cache_read_tokens, cache_write_tokens (of which cache_write_1h_tokens), output_tokens, reasoning_tokens};
 * OpenAI Chat Completions (prompt_tokens includes cached); OpenAI Responses (input_tokens includes cached);
 * Anthropic Messages (input_tokens excludes cache reads/writes). Unknown extra fields are ignored, null
 * counts are 0, a mix of formats is rejected. Error paths are relative to the usage object.
 */
export function normalizeUsage(raw: unknown): TNormalizeUsageResult {
  if (!isObject(raw)) return { ok: false, errors: [{ path: "", message: `must be an object (got ${typeName(raw)})` }] };
  const formats: number[] = [];
  for (let i = 0; i < FORMATS.length; i++) {
    const fields = FORMATS[i].fields;
    for (let j = 0; j < fields.length; j++) {
      if (raw[fields[j]] != null) {
        formats.push(i);
        break;
      }
    }
  }
  // Null values carry no information, so they neither identify a format nor conflict with one.
  const sharedIo = raw.input_tokens != null || raw.output_tokens != null;
  const hasOutputDetails = raw.output_tokens_details != null;

  if (formats.length > 1) return { ok: false, errors: [mixedFormats(raw, formats, [])] };
  const format = formats.length === 1 ? formats[0] : -1;
  if (format === CHAT && (sharedIo || hasOutputDetails)) {
    const shared = ["input_tokens", "output_tokens", "output_tokens_details"].filter((f) => raw[f] != null);
    return { ok: false, errors: [mixedFormats(raw, [CHAT], shared)] };
  }
  if (format === CANONICAL && hasOutputDetails) {
    return { ok: false, errors: [mixedFormats(raw, [CANONICAL], ["output_tokens_details"])] };
  }

  const errors: TUsageError[] = [];
  let usage: TCanonicalUsage;
  if (format === CHAT) usage = chatUsage(raw, errors);
  else if (format === CANONICAL) usage = canonicalUsage(raw, errors);
  else if (format === ANTHROPIC) usage = anthropicUsage(raw, errors);
  // No format-specific field has a value: plain input/output tokens (every format agrees), or all-null.
  else if (format === RESPONSES || Object.keys(raw).length === 0 || KNOWN_FIELDS.some((f) => f in raw)) usage = responsesUsage(raw, errors);
  else {
    // Typically a whole API response passed instead of its `usage` member.
    const got = Object.keys(raw).slice(0, 8).join(", ");
    return {
      ok: false,
      errors: [{ path: "", message: `has no recognised token counts (got fields: ${got}); expected e.g. input_tokens/output_tokens or prompt_tokens/completion_tokens` }],
    };
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, usage };
}
