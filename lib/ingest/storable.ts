import type { TErrorDetail } from "../errors";
import { MAX_METADATA_BYTES } from "./event-schema";

// What Postgres can store, checked on the raw event before the schema: every string (field names
// included, at any depth of metadata and usage) must be NUL-free, well-formed Unicode — text columns
// reject U+0000, jsonb rejects lone surrogates, and the driver turns a lone surrogate in a text
// column into U+FFFD, so two different ids would collide. Metadata and usage nest at most
// MAX_NESTING_DEPTH levels, checked without recursion so no input can overflow the stack (here or
// later in JSON.stringify). Runs for every event: no allocation unless there is a problem.

/** Levels of objects/arrays in metadata or usage, the field itself being level 1. */
export const MAX_NESTING_DEPTH = 8;

// Node ≥ 20 has String.prototype.isWellFormed; TypeScript declares it from lib ES2024 on.
declare global {
  interface String {
    isWellFormed(): boolean;
  }
}

// Why Postgres could not store (or compare with) this text, or null. Shared by every boundary that
// puts client text into SQL: ingest, and the dashboard's filters.
export function textProblem(s: string): string | null {
  if (s.includes("\u0000")) return "must not contain NUL (U+0000) characters";
  if (!s.isWellFormed()) return "must be well-formed Unicode (a lone UTF-16 surrogate such as \\ud800 cannot be stored)";
  return null;
}

// For zod schemas of text that reaches SQL: `.superRefine(storableText)`.
export function storableText(s: string, ctx: { addIssue: (issue: { code: "custom"; message: string }) => void }): void {
  const problem = textProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}

/** Problems of one raw event, one per top-level field at most; [] when none (the common case). */
export function storableProblems(raw: unknown): TErrorDetail[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return NONE;
  let errors: TErrorDetail[] | null = null;
  const event = raw as Record<string, unknown>;
  for (const field in event) {
    let problem: TErrorDetail | null = null;
    const nameProblem = textProblem(field);
    const value = event[field];
    if (nameProblem) problem = { path: field, message: `field name ${nameProblem}` };
    else if (typeof value === "string") {
      const valueProblem = textProblem(value);
      if (valueProblem) problem = { path: field, message: valueProblem };
    } else if (typeof value === "object" && value !== null && (field === "metadata" || field === "usage")) {
      // Metadata is stored: no more values than its byte limit could hold. Usage is only read.
      problem = nestedProblem(value, field, field === "metadata" ? MAX_METADATA_BYTES : Infinity);
    }
    if (problem) (errors ??= []).push(problem);
  }
  return errors ?? NONE;
}

const NONE: TErrorDetail[] = [];

// Breadth-first worklist of the containers still to scan, as parallel arrays reused by every call
// (synchronous, so never shared): node, its level, the index of its parent and its key there.
const nodes: object[] = [];
const levels: number[] = [];
const parents: number[] = [];
const keys: (string | number)[] = [];
let queued = 0;

// The field being scanned, how many values it has shown so far and how many it may have.
let field = "";
let values = 0;
let maxValues = 0;

function enqueue(node: object, level: number, parent: number, key: string | number): void {
  nodes[queued] = node;
  levels[queued] = level;
  parents[queued] = parent;
  keys[queued] = key;
  queued++;
}

function nestedProblem(root: object, name: string, limit: number): TErrorDetail | null {
  field = name;
  values = 0;
  maxValues = limit;
  queued = 0;
  enqueue(root, 1, -1, name);
  let problem: TErrorDetail | null = null;
  scan: for (let at = 0; at < queued; at++) {
    const node = nodes[at];
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        problem = visit(node[i], at, i);
        if (problem) break scan;
      }
    } else {
      const record = node as Record<string, unknown>;
      for (const key in record) {
        // JSON.parse keeps "__proto__" as a plain key, but copying the object (validation) sets the
        // prototype instead and the key silently vanishes: refuse it rather than drop data.
        const nameProblem = key === "__proto__" ? 'must not be "__proto__"' : textProblem(key);
        if (nameProblem) {
          problem = { path: pathTo(at, key), message: `field name ${nameProblem}` };
          break scan;
        }
        problem = visit(record[key], at, key);
        if (problem) break scan;
      }
    }
  }
  // Keep no client data alive between calls.
  for (let i = 0; i < queued; i++) nodes[i] = EMPTY_NODE;
  return problem;
}
const EMPTY_NODE = {};

// The problem with `value`, found at `key` of container `at`; a container is queued to scan later.
function visit(value: unknown, at: number, key: string | number): TErrorDetail | null {
  if (++values > maxValues) return { path: field, message: `at most ${MAX_METADATA_BYTES} bytes as JSON` };
  if (typeof value === "string") {
    const p = textProblem(value);
    return p ? { path: pathTo(at, key), message: p } : null;
  }
  if (typeof value === "number") {
    // JSON.parse reads 1e400 as Infinity, which JSON.stringify would then store as null.
    return Number.isFinite(value) ? null : { path: pathTo(at, key), message: "must be a finite number" };
  }
  if (typeof value === "object" && value !== null) {
    if (levels[at] >= MAX_NESTING_DEPTH) {
      return { path: pathTo(at, key), message: `nests deeper than ${MAX_NESTING_DEPTH} levels of objects and arrays (counting ${field} itself)` };
    }
    enqueue(value, levels[at] + 1, at, key);
  }
  return null;
}

// "metadata.a.b[2]": the keys from the field down to `key` of container `at`.
function pathTo(at: number, key: string | number): string {
  const parts: (string | number)[] = [key];
  for (let i = at; i >= 0; i = parents[i]) parts.push(keys[i]);
  let out = "";
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    out += typeof part === "number" ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}
