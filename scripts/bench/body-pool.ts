import type { TBenchOrg } from "./bench-database";
import type { TBodySource, TRequestBody } from "./load";
import type { TScenario } from "./scenarios";
import { EventStream, TEAM_SLUGS, type TWireEvent } from "./workload";

// Pre-serialized request bodies, one queue per client; each client has its own event stream (its
// executions' calls arrive in order) and uses the key of its team.
export class BodyPool implements TBodySource {
  private readonly streams: EventStream[];
  private readonly queues: (TRequestBody | undefined)[][];
  private readonly next: number[];
  late = 0;
  built = 0;
  maxBodyBytes = 0;

  constructor(
    private readonly scenario: TScenario,
    tag: string,
    private readonly org: TBenchOrg,
  ) {
    this.streams = Array.from({ length: scenario.clients }, (_, c) =>
      new EventStream(`${tag}-${scenario.name}-c${c}`, c % TEAM_SLUGS.length, scenario.parallelExecutions, 1000 + c),
    );
    this.queues = this.streams.map(() => []);
    this.next = this.streams.map(() => 0);
  }

  private build(c: number): TRequestBody {
    const stream = this.streams[c];
    let json: string;
    if (this.scenario.eventsPerRequest === 1) json = JSON.stringify(stream.next());
    else {
      const events: TWireEvent[] = new Array(this.scenario.eventsPerRequest);
      for (let i = 0; i < events.length; i++) events[i] = stream.next();
      json = JSON.stringify({ events });
    }
    const body = Buffer.from(json, "utf8");
    if (body.length > 1024 * 1024) throw new Error(`bench bug: a ${this.scenario.name} body is ${body.length} bytes, over the 1 MiB limit`);
    this.maxBodyBytes = Math.max(this.maxBodyBytes, body.length);
    this.built++;
    return { body, events: this.scenario.eventsPerRequest };
  }

  // Pre-builds bodies for about `events` events, spread over the clients; drops what was not sent.
  fill(events: number): number {
    const perClient = Math.ceil(events / this.scenario.eventsPerRequest / this.scenario.clients);
    for (let c = 0; c < this.queues.length; c++) {
      this.queues[c] = [];
      this.next[c] = 0;
      for (let i = 0; i < perClient; i++) this.queues[c].push(this.build(c));
    }
    this.late = 0;
    return perClient * this.scenario.clients * this.scenario.eventsPerRequest;
  }

  take(c: number): TRequestBody {
    const q = this.queues[c];
    const i = this.next[c];
    if (i < q.length) {
      const b = q[i]!;
      q[i] = undefined; // let it be collected
      this.next[c] = i + 1;
      return b;
    }
    this.late++;
    return this.build(c);
  }

  authorization(c: number): string {
    return `Bearer ${this.org.keys[c % this.org.keys.length].secret}`;
  }

  executions(): number {
    return this.streams.reduce((n, s) => n + s.executionsStarted, 0);
  }
}
