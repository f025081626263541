import { createServer, type Server } from "node:http";
import next from "next";
import { routeMachineRequest } from "./lib/api/routes";
import { env } from "./lib/env";
import { clientIp, parseTrustedProxies } from "./lib/http/client-ip";
import { startJobRunner, type TJobRunner } from "./lib/jobs/runner";
import { warmEmailTemplates } from "./lib/email/templates/registry";
import { drainableHttp, type THttpDrain } from "./lib/server/http-drain";

export type TRunningServer = { server: Server; http: THttpDrain; jobs: TJobRunner };

// One process, one port (docs/architecture.md §2): the per-call machine routes (/api/v1/*) take the lean
// node:http path; pages, auth, server actions and webhooks go to Next's request handler.
// Also starts the job timer (lib/jobs). Hand the result to handleShutdownSignals (lib/server/shutdown.ts).
export async function startServer(options: { dev: boolean; port: number; hostname: string }): Promise<TRunningServer> {
  const app = next({ dev: options.dev, hostname: options.hostname, port: options.port, dir: process.cwd() });
  const handleNext = app.getRequestHandler();
  await app.prepare();
  const trustedProxies = parseTrustedProxies(env().TRUSTED_PROXIES);
  const server = createServer((req, res) => {
    // routeMachineRequest answers malformed request targets ("*", "http://[::1") with a 400 itself,
    // before Next (which would throw building a URL from them) sees them.
    // Pages read the requested path to send a signed-out visitor back after sign-in.
    req.headers["x-burnrate-path"] = req.url ?? "/";
    // The client's address for per-IP limits (sign-in): the peer, or what TRUSTED_PROXIES allow
    // X-Forwarded-For to say. Always overwritten, so a client cannot send its own.
    req.headers["x-burnrate-client-ip"] = clientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustedProxies);
    routeMachineRequest(req, res)
      .then((handled) => (handled ? undefined : handleNext(req, res)))
      .catch((err: unknown) => {
        console.error("[server] request failed:", err);
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { code: "internal_error", message: "Internal server error" } }));
        } else res.destroy();
      });
  });
  // Agents keep connections open between calls; outlive a typical client's idle timeout.
  server.keepAliveTimeout = 65_000;
  const http = drainableHttp(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, resolve);
  });
  // After listening, off the request path: the first alert email after a start renders warm.
  if (!options.dev) void warmEmailTemplates();
  return { server, http, jobs: startJobRunner() };
}
