import { randomBytes } from "node:crypto";
import { hashSecret } from "./hash";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const KEY_PREFIX = "br_";
// 40 bytes: even after the shown prefix (~6 bytes), ≥ 32 random bytes stay secret.
const SECRET_BYTES = 40;
// Characters of the secret shown in lists ("br_" + 8): enough to tell keys apart, useless to an attacker.
const SHOWN_CHARS = 8;

// Base62 of a random number, left-padded to a fixed width (54 chars for 40 bytes).
export function base62(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString("hex")}`);
  const width = Math.ceil((bytes.length * 8) / Math.log2(62));
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, "0");
}

export type TGeneratedKey = { secret: string; prefix: string; hash: string };

export function generateKey(): TGeneratedKey {
  const secret = KEY_PREFIX + base62(randomBytes(SECRET_BYTES));
  return { secret, prefix: secret.slice(0, KEY_PREFIX.length + SHOWN_CHARS), hash: hashSecret(secret) };
}

export function looksLikeKey(secret: string): boolean {
  return secret.startsWith(KEY_PREFIX) && secret.length >= KEY_PREFIX.length + 40 && secret.length <= 80 && /^br_[0-9A-Za-z]+$/.test(secret);
}
