import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// Webhook signatures, Stripe's scheme: `Burnrate-Signature: t=<unix seconds>,v1=<hex>` where v1 is
// HMAC-SHA256 keyed with the org's signing secret (the whole string, "whsec_" included, as UTF-8)
// over "<t>.<raw body>". The timestamp is signed too, so a captured request cannot be replayed
// later than the receiver's tolerance.

export const SIGNATURE_HEADER = "Burnrate-Signature";

// 32 random bytes, base64url, prefixed so a leaked one is recognisable (secret scanners, logs).
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export function signatureHeader(secret: string, body: string, timestampSeconds = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex");
  return `t=${timestampSeconds},v1=${mac}`;
}

// What a receiver runs on each request (copy it: it needs only node:crypto). `body` must be the raw
// bytes as received — not JSON re-serialized from the parsed object, which may differ in spacing,
// key order or number format. True only when one of the header's v1 signatures is the HMAC of
// "<t>.<body>" under `secret` and t is within `toleranceSeconds` of now (either way).
export function verifyBurnrateSignature(
  secret: string,
  header: string | null | undefined,
  body: string | Buffer,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (typeof header !== "string" || !secret) return false;
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t") {
      // One timestamp, digits only: "t=1,t=2" or "t=1e9" is not a header we wrote.
      if (timestamp !== null || !/^\d{1,12}$/.test(value ?? "")) return false;
      timestamp = Number(value);
    } else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value ?? "")) {
      signatures.push(Buffer.from(value, "hex"));
    }
    // Other schemes (a future v2) are ignored, as Stripe's receivers do.
  }
  if (timestamp === null || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
  // Every candidate is compared (no early exit on the first match), each in constant time.
  let ok = false;
  for (const signature of signatures) ok = timingSafeEqual(signature, expected) || ok;
  return ok;
}
