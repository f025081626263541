import { createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import { newWebhookSecret, signatureHeader, verifyBurnrateSignature } from "./signature";

const secret = "whsec_test_secret";
const body = '{"id":"a1","type":"budget.threshold_reached"}';
const now = 1_800_000_000;

describe("webhook signatures", () => {
  test("the header is t=<unix>,v1=<hex HMAC-SHA256(secret, '<t>.<body>')>, as Stripe's", () => {
    const header = signatureHeader(secret, body, now);
    const mac = createHmac("sha256", secret).update(`${now}.${body}`).digest("hex");
    expect(header).toBe(`t=${now},v1=${mac}`);
    expect(verifyBurnrateSignature(secret, header, body, 300, now)).toBe(true);
    expect(verifyBurnrateSignature(secret, header, Buffer.from(body), 300, now)).toBe(true);
  });

  test("a changed body, another secret, or a body re-serialized with other spacing fails", () => {
    const header = signatureHeader(secret, body, now);
    expect(verifyBurnrateSignature(secret, header, body.replace("a1", "a2"), 300, now)).toBe(false);
    expect(verifyBurnrateSignature("whsec_other", header, body, 300, now)).toBe(false);
    expect(verifyBurnrateSignature(secret, header, JSON.stringify(JSON.parse(body), null, 1), 300, now)).toBe(false);
  });

  test("timestamps older or further ahead than the tolerance are refused (replays)", () => {
    const header = signatureHeader(secret, body, now);
    expect(verifyBurnrateSignature(secret, header, body, 300, now + 300)).toBe(true);
    expect(verifyBurnrateSignature(secret, header, body, 300, now + 301)).toBe(false);
    expect(verifyBurnrateSignature(secret, header, body, 300, now - 301)).toBe(false);
    expect(verifyBurnrateSignature(secret, header, body, 3600, now + 3000)).toBe(true);
    // A replay with a fresh t but the old signature does not verify: t is signed.
    const old = signatureHeader(secret, body, now - 3600);
    const replay = old.replace(`t=${now - 3600}`, `t=${now}`);
    expect(verifyBurnrateSignature(secret, replay, body, 300, now)).toBe(false);
  });

  test("malformed headers are refused, several v1 (a rotation) pass when one matches", () => {
    const good = signatureHeader(secret, body, now);
    const v1 = good.split("v1=")[1];
    for (const header of [undefined, null, "", "t=", `v1=${v1}`, `t=${now}`, `t=${now},v1=xyz`, `t=${now},t=${now},v1=${v1}`, `t=1.8e9,v1=${v1}`, `t=${now},v1=${v1.slice(0, 63)}`]) {
      expect(verifyBurnrateSignature(secret, header, body, 300, now), String(header)).toBe(false);
    }
    expect(verifyBurnrateSignature(secret, `t=${now},v1=${"0".repeat(64)},v1=${v1}`, body, 300, now)).toBe(true);
    expect(verifyBurnrateSignature(secret, `t=${now}, v1=${v1.toUpperCase()}, v0=abc`, body, 300, now)).toBe(true);
    expect(verifyBurnrateSignature("", good, body, 300, now)).toBe(false);
  });

  test("secrets are whsec_ + 32 random bytes in base64url", () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), "base64url")).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
