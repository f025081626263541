// Stops what the bench started (embedded Postgres, the server child), last started first, once:
// on the normal way out and on SIGINT / SIGTERM alike.
export class Cleanups {
  private readonly fns: (() => Promise<void>)[] = [];
  private running: Promise<void> | null = null;

  add(fn: () => Promise<void>): void {
    this.fns.push(fn);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const fn of this.fns.reverse()) await fn().catch((err: unknown) => console.error("[bench] cleanup:", (err as Error).message));
    })();
    return this.running;
  }
}
