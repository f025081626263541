import { describe, expect, test } from "vitest";
import { clientIp, parseTrustedProxies } from "./client-ip";

describe("clientIp", () => {
  test("off by default: X-Forwarded-For is ignored (anyone can send it)", () => {
    expect(clientIp("203.0.113.9", "1.2.3.4", parseTrustedProxies(undefined))).toBe("203.0.113.9");
    expect(clientIp("::ffff:10.0.0.2", "1.2.3.4", parseTrustedProxies(""))).toBe("10.0.0.2");
    expect(clientIp(undefined, undefined, null)).toBe("unknown");
  });

  test("a hop count trusts that many proxies nearest to us", () => {
    const oneBalancer = parseTrustedProxies("1");
    expect(clientIp("10.0.0.2", "198.51.100.7", oneBalancer)).toBe("198.51.100.7");
    // A client that forges the header cannot pick its own address: the balancer appended the real one.
    expect(clientIp("10.0.0.2", "6.6.6.6, 198.51.100.7", oneBalancer)).toBe("198.51.100.7");
    expect(clientIp("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.9", parseTrustedProxies("2"))).toBe("198.51.100.7");
    // More hops than the chain has: the farthest address.
    expect(clientIp("10.0.0.2", undefined, oneBalancer)).toBe("10.0.0.2");
  });

  test("a list trusts hops from those addresses and subnets only", () => {
    const ours = parseTrustedProxies("10.0.0.0/8, 192.0.2.7, fd00::/8");
    expect(clientIp("10.1.2.3", "6.6.6.6, 198.51.100.7, 192.0.2.7", ours)).toBe("198.51.100.7");
    expect(clientIp("fd00::1", "2001:db8::5", ours)).toBe("2001:db8::5");
    // The peer is not ours: the header is not believed.
    expect(clientIp("203.0.113.9", "1.2.3.4", ours)).toBe("203.0.113.9");
    // Garbage is never trusted: it is where the walk stops, and it cannot shift which entry counts.
    expect(clientIp("10.0.0.2", "198.51.100.7, not-an-ip", ours)).toBe("not-an-ip");
    expect(clientIp("10.0.0.2", "6.6.6.6, junk, 198.51.100.7", parseTrustedProxies("1"))).toBe("198.51.100.7");
    expect(clientIp("10.0.0.2", "6.6.6.6, 1.2.3.4, junk", parseTrustedProxies("2"))).toBe("1.2.3.4");
  });

  test("ports a balancer appends are not part of the address", () => {
    expect(clientIp("10.0.0.2", "198.51.100.7:51234", parseTrustedProxies("1"))).toBe("198.51.100.7");
    expect(clientIp("10.0.0.2", "[2001:db8::7]:443", parseTrustedProxies("1"))).toBe("2001:db8::7");
    expect(clientIp("10.1.2.3", "198.51.100.7:1, 10.0.0.9:2", parseTrustedProxies("10.0.0.0/8"))).toBe("198.51.100.7");
  });

  test("a bad setting fails at start-up", () => {
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/prefix/);
    expect(() => parseTrustedProxies("balancer.internal")).toThrow(/not an IP/);
  });
});
