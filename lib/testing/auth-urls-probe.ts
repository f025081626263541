// Run by lib/auth/auth-url.test.ts in a directory holding only a .env file: starts the way
// scripts/dev.ts and scripts/start.ts do, then asks Auth.js's own endpoint for its URLs.
import { NextRequest } from "next/server";
import { ensureAuthUrl } from "../auth/secret";
import { env } from "../env";

env();
ensureAuthUrl();
const { handlers } = await import("../auth/auth");
const res = await handlers.GET(new NextRequest("http://localhost:3000/api/auth/providers"));
console.log(JSON.stringify({ status: res.status, body: await res.json() }));
process.exit(0);
