import { readdirSync, readFileSync } from "node:fs";

// CPU accounting from /proc (Linux): utime + stime of a process tree, in seconds. A child's time is
// in its own entry while it lives and in its parent's cutime/cstime once reaped, so summing all four
// over the tree counts every exited backend or worker exactly once.
export const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on every Linux build we run on

type TStat = { pid: number; ppid: number; comm: string; user: number; sys: number };

function readStat(pid: number): TStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const f = text.slice(close + 2).split(" ");
  // f[0] = state (field 3), f[1] = ppid (4), f[11..14] = utime, stime, cutime, cstime (14..17)
  return { pid, ppid: Number(f[1]), comm, user: Number(f[11]) + Number(f[13]), sys: Number(f[12]) + Number(f[14]) };
}

function allStats(): TStat[] {
  const out: TStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

export function procAvailable(pid: number): boolean {
  return readStat(pid) !== null;
}

export function processName(pid: number): string | null {
  return readStat(pid)?.comm ?? null;
}

export function parentPid(pid: number): number | null {
  return readStat(pid)?.ppid ?? null;
}

export type TTreeCpu = { user: number; sys: number };

// CPU seconds (user, kernel) of each tree, from one scan of /proc.
export function treeCpuSeconds(roots: number[]): TTreeCpu[] {
  const stats = allStats();
  const byParent = new Map<number, TStat[]>();
  const byPid = new Map<number, TStat>();
  for (const s of stats) {
    byPid.set(s.pid, s);
    const list = byParent.get(s.ppid);
    if (list) list.push(s);
    else byParent.set(s.ppid, [s]);
  }
  return roots.map((root) => {
    const first = byPid.get(root);
    if (!first) return { user: NaN, sys: NaN };
    let user = 0;
    let sys = 0;
    const stack = [first];
    while (stack.length) {
      const s = stack.pop()!;
      user += s.user;
      sys += s.sys;
      for (const c of byParent.get(s.pid) ?? []) stack.push(c);
    }
    return { user: user / CLOCK_TICKS, sys: sys / CLOCK_TICKS };
  });
}

// Busy CPU seconds of the whole machine (all cores), from /proc/stat.
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is already inside user)
  const busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] ?? 0);
  return busy / CLOCK_TICKS;
}

// CPU seconds of each thread of a process (no children), by thread id.
export function threadCpuSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / CLOCK_TICKS);
    } catch {
      // the thread ended between the two reads
    }
  }
  return out;
}

export type TCpuSample = { at: number; server: number; serverSys: number; postgres: number; postgresSys: number; bench: number; machine: number; serverThreads: Map<number, number>; serverPid: number };

export type TCpuSplit = {
  seconds: number;
  // Average cores busy over the interval.
  serverCores: number;
  postgresCores: number;
  benchCores: number;
  otherCores: number;
  machineCores: number;
  // Share of the server's and Postgres's CPU spent in the kernel (syscalls, TCP over loopback, wake-ups).
  serverSysShare: number;
  postgresSysShare: number;
  // The server process's own threads, in cores: the request (main) thread, the busiest other one
  // (the OTLP decoding thread when there is one), and all the rest (V8's GC and compiler helpers,
  // libuv's pool). Child processes are in serverCores only.
  serverThreads: { request: number; busiestOther: number; rest: number };
};

export class CpuMeter {
  constructor(
    private readonly serverPid: number,
    private readonly postgresPid: number | null,
  ) {}

  sample(): TCpuSample {
    const roots = [this.serverPid, ...(this.postgresPid ? [this.postgresPid] : [])];
    const [server, postgres] = treeCpuSeconds(roots);
    const u = process.cpuUsage();
    return {
      at: performance.now(),
      server: server.user + server.sys,
      serverSys: server.sys,
      postgres: this.postgresPid ? postgres.user + postgres.sys : NaN,
      postgresSys: this.postgresPid ? postgres.sys : NaN,
      bench: (u.user + u.system) / 1e6,
      machine: machineBusySeconds(),
      serverThreads: threadCpuSeconds(this.serverPid),
      serverPid: this.serverPid,
    };
  }

  static split(a: TCpuSample, b: TCpuSample): TCpuSplit {
    const seconds = (b.at - a.at) / 1000;
    const server = b.server - a.server;
    const postgres = b.postgres - a.postgres;
    const bench = b.bench - a.bench;
    const machine = b.machine - a.machine;
    const known = server + (Number.isNaN(postgres) ? 0 : postgres) + bench;
    let request = 0;
    const others: number[] = [];
    for (const [tid, cpu] of b.serverThreads) {
      const used = cpu - (a.serverThreads.get(tid) ?? 0);
      // The main thread's id is the process's.
      if (tid === b.serverPid) request = used;
      else others.push(used);
    }
    others.sort((x, y) => y - x);
    const busiestOther = others[0] ?? 0;
    const rest = others.slice(1).reduce((sum, x) => sum + x, 0);
    return {
      seconds,
      serverCores: server / seconds,
      postgresCores: postgres / seconds,
      benchCores: bench / seconds,
      otherCores: Math.max(0, machine - known) / seconds,
      machineCores: machine / seconds,
      serverSysShare: (b.serverSys - a.serverSys) / server,
      postgresSysShare: (b.postgresSys - a.postgresSys) / postgres,
      serverThreads: { request: request / seconds, busiestOther: busiestOther / seconds, rest: rest / seconds },
    };
  }
}
