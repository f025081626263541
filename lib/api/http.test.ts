// The body reader at the machine API's edge (lib/api/http.ts), tested through POST /api/v1/events
// on a real server with real sockets: limits, keep-alive after an early answer, client aborts.
import { randomBytes } from "node:crypto";
import { Agent, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { ev, expectErrorShape, sleep, storedEventIds } from "../testing/events-api";
import { createTestOrg } from "../testing/fixtures";
import { rawRequest } from "../testing/raw-http";
import { routeMachineRequest } from "./routes";

// The lean router on a random port, recording what each request's handler did once it finished.
type THandled = { headersSent: boolean };
let server: ReturnType<typeof createServer>;
let baseUrl: URL;
const handled: THandled[] = [];
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    routeMachineRequest(req, res).then(() => handled.push({ headersSent: res.headersSent }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => vi.restoreAllMocks());

const MIB = 1024 * 1024;

// One request through `agent`, body written in 64 KiB chunks (chunked unless content-length is
// given); status -1 when no answer comes within 5 s: a hang is a result here.
const send = (agent: Agent, headers: Record<string, string>, body: Buffer) =>
  rawRequest(baseUrl.toString(), { agent, headers, body, chunks: Math.ceil(body.length / 65_536), timeoutMs: 5_000 });

// ~1.2 MiB of valid events (each under the metadata limit): over the limit only by size.
function oversizeBatch(prefix: string): Buffer {
  const events = Array.from({ length: 300 }, (_, i) => ev(`${prefix}${i}`, { metadata: { blob: randomBytes(2800).toString("base64") } }));
  return Buffer.from(JSON.stringify({ events }));
}

describe("after an early answer the keep-alive connection still answers the next request", () => {
  type TCase = { status: number; headers: Record<string, string>; body: Buffer; secret?: string };
  const cases: [string, () => TCase][] = [
    ["413, chunked", () => ({ status: 413, headers: {}, body: oversizeBatch("c") })],
    ["413, content-length", () => {
      const body = oversizeBatch("l");
      return { status: 413, headers: { "content-length": String(body.length) }, body };
    }],
    // Base64 compresses poorly: over the limit on the wire already.
    ["413, gzip, chunked, large on the wire", () => ({ status: 413, headers: { "content-encoding": "gzip" }, body: gzipSync(oversizeBatch("g")) })],
    ["413, gzip, small on the wire, over the limit inflated", () => ({
      status: 413,
      headers: { "content-encoding": "gzip" },
      body: gzipSync(Buffer.from(JSON.stringify({ events: Array.from({ length: 300 }, (_, i) => ev(`z${i}`, { metadata: { blob: "m".repeat(3900) } })) }))),
    })],
    ["413, gzip bomb (64 KiB inflating to 64 MiB)", () => {
      const body = gzipSync(Buffer.concat([Buffer.from('{"events":['), Buffer.alloc(64 * MIB, 0x20), Buffer.from("]}")]), { level: 9 });
      return { status: 413, headers: { "content-encoding": "gzip", "content-length": String(body.length) }, body };
    }],
    // A client that keeps sending long after the answer loses that connection, not the next request.
    ["413, then 24 MiB more: the connection is closed, the next request gets a new one", () => ({ status: 413, headers: {}, body: Buffer.alloc(25 * MIB, 0x20) })],
    ["401 (unknown key) with a 2 MiB chunked body", () => ({ status: 401, headers: {}, body: oversizeBatch("u"), secret: "br_not_a_key" })],
    ["415 (text/plain) with a 2 MiB chunked body", () => ({ status: 415, headers: { "content-type": "text/plain" }, body: oversizeBatch("t") })],
  ];

  for (const [name, make] of cases) {
    test(name, async () => {
      const { org, secret } = await createTestOrg();
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = make();
        const auth = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
        const answer = await send(agent, { ...auth, authorization: `Bearer ${first.secret ?? secret}`, ...first.headers }, first.body);
        expect(answer.status, answer.error ?? answer.body).toBe(first.status);
        expectErrorShape(JSON.parse(answer.body));

        const next = Buffer.from(JSON.stringify(ev("after")));
        const second = await send(agent, { ...auth, "content-length": String(next.length) }, next);
        expect(second.status, second.error ?? second.body).toBe(200);
        expect(await storedEventIds(org.id)).toEqual(["after"]);
      } finally {
        agent.destroy();
      }
    });
  }
});

describe("a big body of known length, read into one buffer as it arrives", () => {
  test("sent in 64 KiB chunks with Content-Length: every event stored, the same as chunked", async () => {
    const { org, secret } = await createTestOrg();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const auth = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
      const batch = (prefix: string) => Buffer.from(JSON.stringify({ events: Array.from({ length: 200 }, (_, i) => ev(`${prefix}${i}`, { metadata: { note: "x".repeat(2000) } })) }));
      const known = batch("k");
      expect(known.length).toBeGreaterThan(256 * 1024);
      const withLength = await send(agent, { ...auth, "content-length": String(known.length) }, known);
      expect(withLength.status, withLength.error ?? withLength.body).toBe(200);
      const chunked = await send(agent, auth, batch("c"));
      expect(chunked.status, chunked.error ?? chunked.body).toBe(200);
      const ids = await storedEventIds(org.id);
      expect(ids.length).toBe(400);
      expect(new Set(ids)).toEqual(new Set([...Array.from({ length: 200 }, (_, i) => `k${i}`), ...Array.from({ length: 200 }, (_, i) => `c${i}`)]));
    } finally {
      agent.destroy();
    }
  });
});

describe("a client that goes away mid-body", () => {
  test("is not logged as a server error and is not answered", async () => {
    const { secret } = await createTestOrg();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const before = handled.length;
    const socket = connect(Number(baseUrl.port), baseUrl.hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      `POST /api/v1/events HTTP/1.1\r\nHost: ${baseUrl.host}\r\nAuthorization: Bearer ${secret}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"events":[`,
    );
    // Let the server authenticate and start reading the body, then hang up.
    await sleep(300);
    socket.destroy();
    for (let i = 0; i < 50 && handled.length === before; i++) await sleep(50);
    expect(handled.length).toBe(before + 1);
    expect(errors.mock.calls.map((c) => c.map(String).join(" "))).toEqual([]);
    expect(handled[before].headersSent).toBe(false);
  });
});

describe("bytes that are not JSON text", () => {
  test("a body that is not valid UTF-8 → 400, nothing stored", async () => {
    const { org, secret } = await createTestOrg();
    const agent = new Agent({ keepAlive: false });
    // Two different invalid bytes would both decode to U+FFFD: ids that differ on the wire would collide.
    const body = Buffer.concat([Buffer.from('{"id":"bad-'), Buffer.from([0xff]), Buffer.from('","model":"gpt-4o","cost_usd":"0.1"}')]);
    const res = await send(agent, { authorization: `Bearer ${secret}`, "content-type": "application/json", "content-length": String(body.length) }, body);
    expect(res.status).toBe(400);
    expectErrorShape(JSON.parse(res.body));
    expect(JSON.parse(res.body).error.message).toMatch(/UTF-8/);
    expect(await storedEventIds(org.id)).toEqual([]);
  });
});
