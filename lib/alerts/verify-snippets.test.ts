import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { signatureHeader } from "./signature";
import { VERIFY_NODE, VERIFY_PYTHON } from "./verify-snippets";

// The verification code customers copy (settings page, docs/api.md), run as they would run it,
// against headers the sender really writes.
const secret = "whsec_6lT0yQ-example-secret";
const body = JSON.stringify({ id: "alert_1", type: "budget.threshold_reached", spent_usd: "8.50", note: "ünïcode ✓" });
const now = Math.floor(Date.now() / 1000);
const CASES: [string, string, string, boolean][] = [
  ["signed now", signatureHeader(secret, body, now), body, true],
  ["signed 4 minutes ago", signatureHeader(secret, body, now - 240), body, true],
  ["signed 10 minutes ago (a replay)", signatureHeader(secret, body, now - 600), body, false],
  ["body changed", signatureHeader(secret, body, now), body.replace("8.50", "0.01"), false],
  ["another secret", signatureHeader("whsec_other", body, now), body, false],
  ["body re-serialized", signatureHeader(secret, body, now), JSON.stringify(JSON.parse(body), null, 2), false],
  ["no timestamp", `v1=${signatureHeader(secret, body, now).split("v1=")[1]}`, body, false],
  ["garbage", "nonsense", body, false],
  ["short signature", `t=${now},v1=abc`, body, false],
];

const dir = mkdtempSync(path.join(tmpdir(), "burnrate-verify-"));

describe("the Node snippet", () => {
  test.each(CASES)("%s", async (_, header, raw, expected) => {
    const file = path.join(dir, "verify.mjs");
    writeFileSync(file, VERIFY_NODE);
    const { fromBurnrate } = await import(/* @vite-ignore */ pathToFileURL(file).href);
    expect(fromBurnrate(secret, header, Buffer.from(raw))).toBe(expected);
  });
});

const python = spawnSync("python3", ["--version"]).status === 0;

describe.skipIf(!python)("the Python snippet", () => {
  test("every case", () => {
    const harness = `${VERIFY_PYTHON}

import json, sys
cases = json.load(sys.stdin)
print(json.dumps([from_burnrate(c["secret"], c["header"], c["body"].encode()) for c in cases]))
`;
    const file = path.join(dir, "verify.py");
    writeFileSync(file, harness);
    const out = execFileSync("python3", [file], { input: JSON.stringify(CASES.map(([, header, raw]) => ({ secret, header, body: raw }))), encoding: "utf8" });
    expect(JSON.parse(out)).toEqual(CASES.map(([, , , expected]) => expected));
  });
});
