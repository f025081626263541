import { expect, test } from "vitest";
import { prisma } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { auditEntries, decodeAuditCursor, encodeAuditCursor } from "./log";

test("paging never skips or repeats entries written in the same millisecond", async () => {
  const { org } = await createTestOrg();
  const at = new Date("2026-11-20T10:00:00.123Z");
  await prisma().auditLog.createMany({
    data: Array.from({ length: 7 }, (_, i) => ({ orgId: org.id, action: "team.created", targetId: `t${i}`, createdAt: i < 5 ? at : new Date(at.getTime() - 1) })),
  });
  const seen: string[] = [];
  let before: ReturnType<typeof decodeAuditCursor>;
  for (let page = 0; page < 10; page++) {
    const entries = await auditEntries(org.id, { limit: 2, before });
    if (entries.length === 0) break;
    seen.push(...entries.map((e) => e.id));
    // Through the URL form, as the page's "Older entries" link does.
    before = decodeAuditCursor(encodeAuditCursor(entries.at(-1)!));
  }
  const all = await prisma().auditLog.findMany({ where: { orgId: org.id }, select: { id: true } });
  expect(seen).toHaveLength(all.length);
  expect(new Set(seen).size).toBe(all.length);
});

test("a malformed cursor is ignored, not an error", () => {
  for (const raw of [undefined, "", "yesterday", "2026-11-20T10:00:00Z", "x_y", "2026-11-20T10:00:00Z_a'b", ["a"], "-271821-04-20T00:00:00.000Z_abc", "+275760-09-13T00:00:00.000Z_abc"]) {
    expect(decodeAuditCursor(raw), JSON.stringify(raw)).toBeUndefined();
  }
});
