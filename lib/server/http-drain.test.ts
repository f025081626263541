import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterEach, expect, test } from "vitest";
import { drainableHttp } from "./http-drain";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.closeAllConnections();
});

async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  servers.push(server);
  const drain = drainableHttp(server);
  // The dev server's HMR websocket: an upgraded socket the HTTP server no longer tracks.
  server.on("upgrade", (_req, socket) => socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, drain, port: (server.address() as AddressInfo).port };
}

function get(port: number, agent: Agent, path = "/"): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("a request in flight is finished (with Connection: close); idle keep-alive and upgraded sockets do not hold the close", async () => {
  const { drain, port } = await serve((req, res) => {
    if (req.url === "/slow") setTimeout(() => res.end("slow done"), 300);
    else res.end("ok");
  });
  const agent = new Agent({ keepAlive: true });
  // An idle kept-alive connection…
  expect((await get(port, agent)).connection).toBe("keep-alive");
  // …an upgraded socket…
  const upgraded = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => upgraded.once("connect", () => resolve()));
  upgraded.write("GET /_next/webpack-hmr HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  await new Promise((resolve) => upgraded.once("data", resolve));
  // …and a slow request in flight.
  const slow = get(port, new Agent({ keepAlive: true }), "/slow");
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(drain.inFlight()).toBe(1);

  const t0 = performance.now();
  const closed = await drain.close(Date.now() + 10_000);
  const ms = performance.now() - t0;
  expect(closed).toEqual({ cutOff: 0 });
  expect(await slow).toEqual({ status: 200, connection: "close", body: "slow done" });
  // Done once the slow request was answered — not after a keep-alive timeout or the deadline.
  expect(ms).toBeGreaterThan(200);
  expect(ms).toBeLessThan(1_500);
  expect(upgraded.destroyed || upgraded.readableEnded).toBe(true);
  // No new connections.
  await expect(get(port, new Agent())).rejects.toMatchObject({ code: "ECONNREFUSED" });
  agent.destroy();
});

test("at the deadline whatever is still running is cut off and counted", async () => {
  const { drain, port } = await serve(() => undefined); // never answers
  const hanging = get(port, new Agent()).catch((e) => e);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const t0 = performance.now();
  expect(await drain.close(Date.now() + 300)).toEqual({ cutOff: 1 });
  expect(performance.now() - t0).toBeLessThan(1_000);
  expect(await hanging).toMatchObject({ code: "ECONNRESET" });
});
