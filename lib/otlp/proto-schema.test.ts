import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { compileOtlpSchema } from "./proto-schema";

test("the committed descriptor (lib/otlp/proto/otlp.json) is exactly the vendored .proto files compiled", () => {
  const committed = JSON.parse(readFileSync("lib/otlp/proto/otlp.json", "utf8"));
  expect(committed).toEqual(JSON.parse(JSON.stringify(compileOtlpSchema())));
});
