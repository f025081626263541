// How a receiver checks Burnrate-Signature, as the settings page and docs/api.md show it — kept here
// so a test runs exactly this text against real signed deliveries (verify-snippets.test.ts).

export const VERIFY_NODE = `import { createHmac, timingSafeEqual } from "node:crypto";

// header: req.headers["burnrate-signature"]; rawBody: the body exactly as received (a Buffer),
// not JSON re-serialized from the parsed object.
export function fromBurnrate(secret, header, rawBody, toleranceSeconds = 300) {
  const parts = Object.fromEntries(String(header).split(",").map((p) => p.trim().split("=")));
  const age = Math.abs(Date.now() / 1000 - Number(parts.t));
  if (!/^\\d+$/.test(parts.t ?? "") || !(age <= toleranceSeconds) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? "")) return false;
  const expected = createHmac("sha256", secret).update(\`\${parts.t}.\`).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(parts.v1, "hex"), expected);
}`;

export const VERIFY_PYTHON = `import hashlib
import hmac
import time

# header: request.headers["Burnrate-Signature"]; raw_body: the body exactly as received (bytes).
def from_burnrate(secret: str, header: str, raw_body: bytes, tolerance_seconds: int = 300) -> bool:
    parts = dict(p.strip().split("=", 1) for p in header.split(",") if "=" in p)
    t, v1 = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit() or abs(time.time() - int(t)) > tolerance_seconds:
        return False
    expected = hmac.new(secret.encode(), t.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1)`;
