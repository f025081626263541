import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { BlockList, isIP } from "node:net";
import { env } from "../env";

// Where a webhook may go. A webhook URL is typed by a customer and fetched by our server, so it is
// a server-side request forgery risk: in production only https:// to public addresses — checked on
// the URL when it is saved and again on every address DNS answers when it is sent (a name that
// resolves to 10.0.0.5 or 169.254.169.254 — cloud metadata — is refused at connect time, so a DNS
// change after saving cannot get around it). Outside production, and in the e2e server
// (BURNRATE_WEBHOOKS_LOCAL=1), http:// to localhost and private addresses are allowed so that a
// developer or a test can run a receiver on this machine.

export type TWebhookPolicy = { allowLocal: boolean };

export function webhookPolicy(): TWebhookPolicy {
  const e = env();
  return { allowLocal: e.NODE_ENV !== "production" || e.BURNRATE_WEBHOOKS_LOCAL === "1" };
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

// Addresses no customer webhook lives at: loopback, private, link-local (cloud metadata),
// carrier-grade NAT, benchmarking, multicast, reserved, and IPv6's equivalents (v4-mapped and NAT64
// forms included, which can hide any of the v4 ones).
const BLOCKED = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 3],
] as const) {
  BLOCKED.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["::ffff:0:0", 96],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  BLOCKED.addSubnet(net, bits, "ipv6");
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !BLOCKED.check(address, family === 4 ? "ipv4" : "ipv6");
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
}

function isLoopbackHost(hostname: string): boolean {
  const host = bareHost(hostname);
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  return isIP(host) !== 0 && (host === "::1" || (isIP(host) === 4 && host.startsWith("127.")));
}

// Why this URL cannot receive webhooks (a sentence that follows "The webhook URL …"); null when it can.
export function webhookUrlProblem(raw: string, policy: TWebhookPolicy = webhookPolicy()): string | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `is too long (at most ${MAX_WEBHOOK_URL_LENGTH} characters)`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a valid URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must start with https://";
  // Credentials in a URL would be shown on the alerts page and kept in every delivery row.
  if (url.username || url.password) return "must not contain a user name or password";
  const host = bareHost(url.hostname);
  if (url.protocol === "http:") {
    if (policy.allowLocal && isLoopbackHost(host)) return null;
    return policy.allowLocal ? "must start with https:// (http:// is allowed for localhost only)" : "must start with https://";
  }
  if (!policy.allowLocal && (isLoopbackHost(host) || (isIP(host) !== 0 && !isPublicAddress(host)))) return "must point to a public address";
  return null;
}

type TLookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

// A dns.lookup for http.request that refuses non-public answers unless the policy allows local
// targets. Node calls it for names only (an IP literal is checked by webhookUrlProblem).
export function guardedLookup(policy: TWebhookPolicy) {
  return (hostname: string, options: LookupOptions, callback: TLookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 4);
      const list = addresses as LookupAddress[];
      if (!policy.allowLocal) {
        const blocked = list.find((a) => !isPublicAddress(a.address));
        if (blocked) {
          const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to a non-public address (${blocked.address}); webhooks go to public addresses only`);
          refused.code = "EWEBHOOKADDRESS";
          return callback(refused, "", 4);
        }
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 4);
      callback(null, first.address, first.family);
    });
  };
}

// Slack incoming webhooks get Slack's message format instead of the event JSON.
const SLACK_HOST = "hooks.slack.com";
// Tests point the Slack branch at a local receiver by naming its host:port here (never in production).
const slackHostsForTests = new Set<string>();

export function treatAsSlackForTests(host: string): () => void {
  if (env().NODE_ENV === "production") throw new Error("treatAsSlackForTests is for tests only");
  slackHostsForTests.add(host);
  return () => slackHostsForTests.delete(host);
}

export function isSlackWebhookUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (!url.pathname.startsWith("/services/")) return false;
  return (url.protocol === "https:" && bareHost(url.hostname) === SLACK_HOST) || slackHostsForTests.has(url.host);
}

// A URL as it may be shown to everyone in the org: the path's long segments (Slack's token, a
// receiver's secret path) and the query are masked — only admins see the whole URL, on settings.
export function redactWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw.length > 24 ? `${raw.slice(0, 20)}…` : raw;
  }
  const path = url.pathname
    .split("/")
    .map((segment) => (segment.length >= 16 ? `${segment.slice(0, 4)}…` : segment))
    .join("/");
  return `${url.protocol}//${url.host}${path}${url.search ? "?…" : ""}`;
}
