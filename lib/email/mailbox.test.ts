import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { prisma } from "../db";
import { splitUrls } from "./format";
import { getCapturedEmail, latestCapturedEmail, listCapturedEmails } from "./mailbox";

function address(): string {
  return `bob+${randomBytes(5).toString("hex")}@example.com`;
}

async function capture(to: string[], subject: string, createdAt: Date) {
  return prisma().capturedEmail.create({ data: { to, from: "Burnrate <a@b.co>", subject, html: "<p>x</p>", text: "x", createdAt } });
}

describe("captured email queries", () => {
  test("filters by recipient case-insensitively, also inside 'Name <address>', newest first", async () => {
    const me = address();
    const other = address();
    const t0 = Date.now() - 60_000;
    const oldest = await capture([me], "one", new Date(t0));
    const named = await capture([other, `Bob <${me.toUpperCase()}>`], "two", new Date(t0 + 1000));
    const newest = await capture([me.toUpperCase()], "three", new Date(t0 + 2000));
    await capture([other], "not mine", new Date(t0 + 3000));

    const mine = await listCapturedEmails({ to: ` ${me} ` });
    expect(mine.map((e) => e.id)).toEqual([newest.id, named.id, oldest.id]);
    expect(mine[0]).toEqual({ id: newest.id, to: [me.toUpperCase()], from: "Burnrate <a@b.co>", subject: "three", createdAt: newest.createdAt });

    expect((await latestCapturedEmail(me))?.id).toBe(newest.id);
    expect(await latestCapturedEmail(address())).toBeNull();
    expect((await listCapturedEmails({ limit: 1 }))[0].createdAt.getTime()).toBeGreaterThanOrEqual(newest.createdAt.getTime());

    const full = await getCapturedEmail(named.id);
    expect(full?.html).toBe("<p>x</p>");
    expect(await getCapturedEmail("nope")).toBeNull();
  });
});

describe("splitUrls", () => {
  test("finds http(s) URLs, keeps query strings, drops trailing punctuation", () => {
    const url = "http://localhost:3000/api/auth/callback/email?callbackUrl=%2Fx&token=abc&email=a%40b.co";
    expect(splitUrls(`Sign in: ${url}.\nOr (https://example.com/a) now`)).toEqual([
      { kind: "text", value: "Sign in: " },
      { kind: "url", value: url },
      { kind: "text", value: ".\nOr (" },
      { kind: "url", value: "https://example.com/a" },
      { kind: "text", value: ") now" },
    ]);
    expect(splitUrls("javascript:alert(1) ftp://x")).toEqual([{ kind: "text", value: "javascript:alert(1) ftp://x" }]);
    expect(splitUrls("")).toEqual([]);
  });
});
