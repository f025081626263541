// Where this Burnrate is reached, for the snippets people paste into other machines: the configured
// public URL (APP_URL) when set, else the request's own origin. A Host header that is not a plain
// host[:port] is not trusted into a snippet (it would be pasted into a shell).
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

type THeaderGetter = { get(name: string): string | null };

export function instanceOrigin(appUrl: string | undefined, headers: THeaderGetter, fallbackPort = 3000): string {
  if (appUrl) {
    try {
      const url = new URL(appUrl);
      if (url.protocol === "http:" || url.protocol === "https:") return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
    } catch {
      // not a URL: fall through to the request's origin
    }
  }
  // A proxy may name several hosts ("a, b"): the first is the client's.
  const host = (headers.get("x-forwarded-host") ?? headers.get("host") ?? "").split(",")[0].trim();
  if (!HOST.test(host)) return `http://localhost:${fallbackPort}`;
  const forwarded = headers.get("x-forwarded-proto")?.split(",")[0].trim();
  const local = /^(localhost|127\.|\[::1\])/.test(host);
  const proto = forwarded === "http" || forwarded === "https" ? forwarded : local ? "http" : "https";
  return `${proto}://${host}`;
}
