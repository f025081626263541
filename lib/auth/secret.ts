import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

// Auth.js needs AUTH_SECRET. Development and the e2e server get a generated one, kept in the data
// directory so sessions survive a restart; production must set it (secrets are never generated
// silently where they matter).
export async function ensureAuthSecret(options: { allowGenerated: boolean }): Promise<void> {
  if (process.env.AUTH_SECRET) return;
  if (!options.allowGenerated) throw new Error("AUTH_SECRET is not set (generate one with: openssl rand -base64 33)");
  const dir = path.resolve(process.env.BURNRATE_DATA_DIR ?? ".data");
  const file = path.join(dir, "auth-secret");
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    await writeFile(file, randomBytes(33).toString("base64"), { mode: 0o600 });
  }
  process.env.AUTH_SECRET = (await readFile(file, "utf8")).trim();
}

// Auth.js builds magic links and callback URLs from AUTH_URL when set, else from request headers,
// which behind Next's custom server can name "localhost" instead of the host the person used.
export function ensureAuthUrl(): void {
  if (!process.env.AUTH_URL && process.env.APP_URL) process.env.AUTH_URL = process.env.APP_URL;
}
