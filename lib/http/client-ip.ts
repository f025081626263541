import { BlockList, isIP } from "node:net";

// Which address a request came from, for per-IP limits (sign-in). Behind a load balancer every
// request arrives from the balancer: TRUSTED_PROXIES says which hops may speak for the client in
// X-Forwarded-For. Off by default — then the header is ignored, since anyone can send it.
//   TRUSTED_PROXIES=2                      the last 2 hops are ours (hop count, as Express's "trust proxy")
//   TRUSTED_PROXIES=10.0.0.0/8,192.0.2.7   hops from these addresses / subnets are ours
export type TTrustedProxies = { hops: number } | { list: BlockList } | null;

export function parseTrustedProxies(value: string | undefined): TTrustedProxies {
  const raw = value?.trim();
  if (!raw || raw === "0") return null;
  if (/^\d+$/.test(raw)) return { hops: Number(raw) };
  const list = new BlockList();
  for (const entry of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [address, bits] = entry.split("/");
    const family = isIP(address);
    if (!family) throw new Error(`TRUSTED_PROXIES: '${entry}' is not an IP address or subnet`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) throw new Error(`TRUSTED_PROXIES: bad prefix in '${entry}'`);
      list.addSubnet(address, prefix, type);
    }
  }
  return { list };
}

// `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) is the IPv4 address for every purpose here; some
// balancers append a port ("10.0.0.1:4711", "[2001:db8::1]:443"), which is not part of the address.
function normalize(entry: string): string {
  let address = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
}

export function clientIp(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: TTrustedProxies): string {
  const peer = normalize(remoteAddress ?? "") || "unknown";
  if (!trusted) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  // Nearest hop last: [client, proxy1, …, peer]. Every entry keeps its place, even one that is not
  // an address: dropping it would shift the hops and let a client pick which entry counts.
  const chain = [...header.split(",").map(normalize).filter((a) => a !== ""), peer];
  if ("hops" in trusted) return chain[Math.max(0, chain.length - 1 - trusted.hops)];
  // Walk back from the peer while the hop is one of ours; the first stranger is the client.
  let i = chain.length - 1;
  while (i > 0 && isIP(chain[i]) && trusted.list.check(chain[i], isIP(chain[i]) === 6 ? "ipv6" : "ipv4")) i--;
  return chain[i];
}
