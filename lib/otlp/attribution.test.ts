import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { ATTRIBUTION, attributionOf } from "./attribution";
import { SPEND_METRICS } from "./metrics";

const doc = readFileSync("docs/opentelemetry.md", "utf8");

describe("the attribution table", () => {
  test("docs/opentelemetry.md prints it as the code reads it: every field, its attributes in order", () => {
    for (const { field, keys } of ATTRIBUTION) {
      const row = doc.split("\n").find((line) => line.startsWith(`| \`${field}\` |`));
      expect(row, field).toBeDefined();
      const listed = [...row!.split("|")[2].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      expect(listed.slice(0, keys.length), field).toEqual([...keys]);
    }
  });

  test("every metric read as spend is documented", () => {
    for (const name of Object.keys(SPEND_METRICS)) expect(doc, name).toContain(`\`${name}\``);
  });

  test("the record's own attributes win over its resource's; the first key present wins; blanks do not count", () => {
    const resource = Object.assign(Object.create(null), { "team.id": "platform", repo: "acme/web", "service.name": "claude-code", __proto__: "x" });
    // As the decoder links them (lib/otlp/decode.ts): the record's attributes over its resource's.
    const own = Object.assign(Object.create(resource), { team: "payments", repository: "  ", pr: "4821" });
    const a = attributionOf(own);
    expect(a).toMatchObject({ team: "payments", repository: "acme/web", pull_request: "4821", agent: null });
  });
});
