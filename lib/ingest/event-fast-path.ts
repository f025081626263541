import { regexes } from "zod/v4/core";
import { exceedsMaxCallCost, MAX_CALL_COST_USD } from "../pricing/money";
import { MAX_METADATA_KEYS, type TEvent } from "./event-schema";

// The common, well-formed event checked without zod: ZEventSchema costs ~5–7 µs an event, a fifth
// of the server's time per event at batches of 1,000 (bench:alerts profile). Anything this does not
// recognise at a glance — an unknown field, a wrong type, a value past a bound — returns null and goes through ZEventSchema, which also words every error. What it accepts, it
// returns exactly as ZEventSchema would (same trimming, same defaults): event-fast-path.test.ts holds
// the two together on generated events, valid and not.

// zod's own pattern for z.iso.datetime({ offset: true }), so a timestamp passes here only if it
// passes there.
const ISO_DATETIME = regexes.datetime({ offset: true } as Parameters<typeof regexes.datetime>[0]);
const DECIMAL_STRING = /^\d{1,12}(\.\d{1,18})?$/;

// Trimmed text fields and their length bounds (ZEventSchema's attribution(max) and fingerprint).
const TEXT_MAX: Record<string, number> = {
  provider: 64,
  model: 200,
  execution_id: 256,
  task: 256,
  session_id: 256,
  agent: 256,
  subagent: 256,
  user: 256,
  team: 256,
  cost_center: 256,
  feature: 256,
  repository: 256,
  branch: 256,
  error_type: 128,
  tool: 128,
  fingerprint: 128,
};
const ENUMS: Record<string, readonly string[]> = { kind: ["llm", "tool"], status: ["ok", "error"], execution_status: ["done", "failed"] };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max;

export function fastParseEvent(raw: unknown): TEvent | null {
  if (!isPlainObject(raw)) return null;
  const out: Record<string, unknown> = {};
  for (const key in raw) {
    if (!Object.hasOwn(raw, key)) return null;
    const value = raw[key];
    const max = TEXT_MAX[key];
    if (max !== undefined) {
      if (value === null) out[key] = null;
      else if (typeof value === "string") {
        const trimmed = value.trim();
        if (trimmed.length < 1 || trimmed.length > max) return null;
        out[key] = trimmed;
      } else return null;
      continue;
    }
    switch (key) {
      case "id":
        if (typeof value !== "string" || value.length < 1 || value.length > 128) return null;
        out.id = value;
        break;
      case "timestamp":
        if (value !== null && (typeof value !== "string" || !ISO_DATETIME.test(value))) return null;
        out.timestamp = value;
        break;
      case "kind":
      case "status":
      case "execution_status":
        if (value === null && key === "execution_status") out[key] = null;
        else if (typeof value !== "string" || !ENUMS[key].includes(value)) return null;
        else out[key] = value;
        break;
      case "usage":
        // The keys are copied as they are; one that names the prototype is left to zod.
        if (value === null) out.usage = null;
        else if (!isPlainObject(value) || Object.hasOwn(value, "__proto__")) return null;
        else out.usage = { ...value };
        break;
      case "cost_usd":
        if (value === null) out.cost_usd = null;
        else if (typeof value === "number") {
          if (!Number.isFinite(value) || value < 0 || value > MAX_CALL_COST_USD) return null;
          out.cost_usd = value;
        } else if (typeof value === "string") {
          if (!DECIMAL_STRING.test(value) || exceedsMaxCallCost(value)) return null;
          out.cost_usd = value;
        } else return null;
        break;
      case "pull_request":
        if (value === null) out.pull_request = null;
        else if (typeof value === "string") {
          const trimmed = value.trim();
          if (trimmed.length < 1 || trimmed.length > 256) return null;
          out.pull_request = trimmed;
        } else if (isInt(value, 0, Number.MAX_SAFE_INTEGER)) out.pull_request = value;
        else return null;
        break;
      case "attempt":
        if (!isInt(value, 1, 100_000)) return null;
        out.attempt = value;
        break;
      case "latency_ms":
        if (value === null) out.latency_ms = null;
        else if (!isInt(value, 0, 86_400_000)) return null;
        else out.latency_ms = value;
        break;
      case "metadata":
        // Its byte size is checked where it is serialised (prepare.ts), as for zod's result.
        if (value === null) out.metadata = null;
        else if (!isPlainObject(value) || Object.hasOwn(value, "__proto__")) return null;
        else {
          const keys = Object.keys(value);
          if (keys.length > MAX_METADATA_KEYS || keys.some((k) => k.length > 128)) return null;
          out.metadata = { ...value };
        }
        break;
      default:
        // An unknown field: zod words the error.
        return null;
    }
  }
  if (out.id === undefined) return null;
  out.kind ??= "llm";
  out.attempt ??= 1;
  out.status ??= "ok";
  // ZEventSchema's cross-field rules: on failure zod words the error.
  if (out.kind === "llm" && !out.model) return null;
  if (out.execution_status && !out.execution_id) return null;
  return out as TEvent;
}
