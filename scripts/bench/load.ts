import http from "node:http";

// Closed-loop HTTP load: N clients, each with its own keep-alive connection, post pre-serialized
// bodies back to back until the deadline. Every response is checked: 200 and accepted == events sent.
export type TRequestBody = { body: Buffer; events: number };

export type TBodySource = {
  // The next body for client `c` (pre-built; built on the spot only if the pool ran dry).
  take(c: number): TRequestBody;
  authorization(c: number): string;
};

export type TFailure = { status: number; detail: string };

export type TPhaseResult = {
  seconds: number;
  requests: number;
  okRequests: number;
  eventsSent: number;
  eventsAccepted: number;
  failures: number;
  failureSamples: TFailure[];
  failureKinds: Map<string, number>;
  latenciesMs: Float64Array;
};

const REQUEST_TIMEOUT_MS = 120_000;

function post(agent: http.Agent, target: URL, body: Buffer, authorization: string, contentType = "application/json"): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        agent,
        headers: { "content-type": contentType, "content-length": body.length, authorization },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

export async function runPhase(options: {
  url: URL;
  clients: number;
  seconds: number;
  source: TBodySource;
  // Another protocol (OTLP): its content type, and how many of a body's events its answer says were taken.
  contentType?: string;
  acceptedOf?: (text: string, events: number) => number;
}): Promise<TPhaseResult> {
  const { url, clients, source } = options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
  const latencies: number[] = [];
  const failureSamples: TFailure[] = [];
  const failureKinds = new Map<string, number>();
  let requests = 0;
  let okRequests = 0;
  let eventsSent = 0;
  let eventsAccepted = 0;
  let failures = 0;

  const fail = (status: number, detail: string) => {
    failures++;
    const kind = `${status} ${detail.slice(0, 80)}`;
    failureKinds.set(kind, (failureKinds.get(kind) ?? 0) + 1);
    if (failureSamples.length < 5) failureSamples.push({ status, detail: detail.slice(0, 500) });
  };

  const start = performance.now();
  const deadline = start + options.seconds * 1000;

  async function client(c: number): Promise<void> {
    const authorization = source.authorization(c);
    while (performance.now() < deadline) {
      const { body, events } = source.take(c);
      const t0 = performance.now();
      let status = 0;
      let text = "";
      try {
        ({ status, text } = await post(agent, url, body, authorization, options.contentType));
      } catch (err) {
        latencies.push(performance.now() - t0);
        requests++;
        eventsSent += events;
        fail(0, `network: ${(err as Error).message}`);
        continue;
      }
      latencies.push(performance.now() - t0);
      requests++;
      eventsSent += events;
      let accepted = 0;
      if (options.acceptedOf) accepted = status === 200 ? options.acceptedOf(text, events) : 0;
      else {
        let parsed: { accepted?: unknown; duplicates?: unknown; rejected?: unknown[] } | null = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          // reported below
        }
        accepted = typeof parsed?.accepted === "number" ? parsed.accepted : 0;
      }
      eventsAccepted += accepted;
      if (status !== 200) fail(status, text);
      else if (accepted !== events) fail(status, `accepted ${accepted} of ${events}: ${text}`);
      else okRequests++;
    }
  }

  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return {
    seconds,
    requests,
    okRequests,
    eventsSent,
    eventsAccepted,
    failures,
    failureSamples,
    failureKinds,
    latenciesMs: Float64Array.from(latencies),
  };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
