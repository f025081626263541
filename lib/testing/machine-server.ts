import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { routeMachineRequest } from "../api/routes";

// The lean machine router on a random port: real HTTP, real handlers, no Next.
export async function startMachineServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    routeMachineRequest(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function api(
  baseUrl: string,
  path: string,
  options: { method?: string; secret?: string | null; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.secret) headers.authorization = `Bearer ${options.secret}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const payload = typeof body === "string" || body === undefined ? body : new Uint8Array(body);
  const res = await fetch(baseUrl + path, { method: options.method ?? (body ? "POST" : "GET"), headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
