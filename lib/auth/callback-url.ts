// Where to send a person after sign-in: only a path on this site. `//evil.com` and `/\evil.com`
// start with "/" but browsers read them as another host, so a prefix check is not enough: the
// value must resolve to this origin, and it is rebuilt from its parsed path.
const PROBE_ORIGIN = "http://burnrate.invalid";

export function safeCallbackPath(raw: string | null | undefined, fallback = "/"): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return fallback;
  // Control characters (tab, newline) are stripped by URL parsers and can smuggle a host in.
  if (/[\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can resolve to a protocol-relative path again ("/a/../..//evil.com").
  return path.startsWith("//") || path.startsWith("/\\") ? fallback : path;
}

// Auth.js's redirect callback: the same rule for absolute URLs on our own origin.
export function safeRedirectUrl(url: string, baseUrl: string): string {
  if (url.startsWith("/")) return `${baseUrl}${safeCallbackPath(url)}`;
  try {
    const parsed = new URL(url);
    if (parsed.origin === new URL(baseUrl).origin) return `${baseUrl}${safeCallbackPath(`${parsed.pathname}${parsed.search}${parsed.hash}`)}`;
  } catch {
    // not a URL: fall through
  }
  return baseUrl;
}
