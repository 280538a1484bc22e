// Child processes of the benchmarks: spawn, wait until they answer, measure them from /proc, and kill every one of
// them (with its descendants) whatever way the harness ends.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";

const children = new Set();
const tempDirs = new Set();
let hooked = false;

/** Removes `dir` (recursively) when the process exits, however it exits. */
export function removeOnExit(dir) {
  hookExit();
  tempDirs.add(dir);
  return dir;
}

/** Kills every live child (and its descendants) with SIGKILL; synchronous, so it also runs from `exit`. */
export function killAllSync() {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    for (const pid of [...descendants(child.pid), child.pid]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

function hookExit() {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    killAllSync();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children\n`);
      killAllSync();
      process.exit(130);
    });
  }
  process.once("uncaughtException", (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    killAllSync();
    process.exit(1);
  });
  process.once("unhandledRejection", (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    killAllSync();
    process.exit(1);
  });
}

/**
 * Spawns a tracked child. Its output is kept (last 8 KiB) for error messages, and passed to `onLine` line by line.
 * @returns the ChildProcess with `output()` and `exited` (a promise of {code, signal}).
 */
export function start(command, args, { env = {}, cwd, onLine, name = command } = {}) {
  hookExit();
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let tail = "";
  let partial = "";
  const take = (d) => {
    const s = d.toString();
    tail = (tail + s).slice(-8192);
    if (onLine) {
      partial += s;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    }
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  child.exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
    child.once("error", (err) => {
      tail += `\n${err.message}`;
      children.delete(child);
      resolve({ code: -1, signal: null });
    });
  });
  child.output = () => tail;
  child.label = name;
  return child;
}

/** Stops a child: `signal` first, SIGKILL (to it and its descendants) after `graceMs`. */
export async function stop(child, { signal = "SIGTERM", graceMs = 5000 } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const family = descendants(child.pid);
  child.kill(signal);
  const timer = setTimeout(() => {
    for (const pid of [...family, child.pid]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
  for (const pid of family) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One HTTP request to 127.0.0.1 (loopback only). Resolves {status, body} with body as text. */
export function httpRequest(port, method, path, { body, headers = {}, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        headers: { ...(data !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}), ...headers },
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.once("timeout", () => req.destroy(new Error(`timeout on ${method} ${path}`)));
    req.once("error", reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/** Polls `GET path` until it answers 200; throws with the child's output when the child dies or time runs out. */
export async function waitReady(child, port, path, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${child.label} exited before it was ready:\n${child.output()}`);
    }
    try {
      const r = await httpRequest(port, "GET", path, { timeoutMs: 1000 });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.label} not ready on port ${port} after ${timeoutMs} ms:\n${child.output()}`);
    await sleep(50);
  }
}

// ---- /proc measurements -------------------------------------------------------------------------------------------

const CLK_TCK = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** Every descendant pid of `pid` (children, grandchildren, …), from /proc. */
export function descendants(pid) {
  if (!pid) return [];
  const byParent = new Map();
  let entries = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const f = statFields(e);
    if (!f) continue;
    const ppid = Number(f[1]);
    if (!byParent.has(ppid)) byParent.set(ppid, []);
    byParent.get(ppid).push(Number(e));
  }
  const out = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of byParent.get(queue.shift()) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** CPU seconds (user, sys) used so far by one process. */
export function cpuOf(pid) {
  const f = statFields(pid);
  if (!f) return null;
  // After the name: state(0) ppid(1) … utime(11) stime(12).
  return { user: Number(f[11]) / CLK_TCK, sys: Number(f[12]) / CLK_TCK };
}

/** CPU seconds used so far by a process and its live descendants (node:cluster workers). */
export function treeCpu(pid) {
  let user = 0;
  let sys = 0;
  for (const p of [pid, ...descendants(pid)]) {
    const c = cpuOf(p);
    if (c) {
      user += c.user;
      sys += c.sys;
    }
  }
  return { user, sys };
}

function statusKb(pid, key) {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Peak RSS (VmHWM) in MiB of a process plus its live descendants. */
export function treePeakRssMiB(pid) {
  let kb = 0;
  for (const p of [pid, ...descendants(pid)]) kb += statusKb(p, "VmHWM") ?? 0;
  return kb / 1024;
}

/** Current RSS (VmRSS) in MiB of a process plus its live descendants. */
export function treeRssMiB(pid) {
  let kb = 0;
  for (const p of [pid, ...descendants(pid)]) kb += statusKb(p, "VmRSS") ?? 0;
  return kb / 1024;
}

/** Machine-wide CPU jiffies from /proc/stat: {busy, total}. */
export function machineCpu() {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Waits (at most `maxMs`) until the machine is nearly idle: less than `cores` busy over a 500 ms window. Other work
 * on the machine competes with the server and the load generator, so each measurement starts from a quiet machine
 * when it can. @returns the busy cores seen last.
 */
export async function waitQuiet({ maxMs = 30_000, cores = 0.3 } = {}) {
  const deadline = Date.now() + maxMs;
  let busy = 0;
  do {
    const a = machineCpu();
    await sleep(500);
    const b = machineCpu();
    busy = ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * CORES;
    if (busy < cores) break;
  } while (Date.now() < deadline);
  return busy;
}

const CORES = (() => {
  try {
    return readFileSync("/proc/stat", "utf8").split("\n").filter((l) => /^cpu\d+ /.test(l)).length || 1;
  } catch {
    return 1;
  }
})();

/** Prints a script's Markdown report, and with `--markdown-out FILE` also writes it there. */
export function emitMarkdown(md, args) {
  process.stdout.write(`${md}\n`);
  if (args["markdown-out"]) writeFileSync(join(process.cwd(), String(args["markdown-out"])), `${md}\n`);
}

/** Runs a benchmark script's `main`; an error kills every child and exits 1 with the script's name. */
export function runScript(name, main) {
  main().catch((err) => {
    process.stderr.write(`${name}: ${err?.stack ?? err}\n`);
    killAllSync();
    process.exit(1);
  });
}
