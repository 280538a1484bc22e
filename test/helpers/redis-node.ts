// The one starter of throwaway Redis processes for integration tests, on free loopback ports: single nodes with any
// arguments (ACL, TLS, replication, Sentinel), from which redis-server.ts, redis-sentinel.ts and redis-cluster.ts build
// their topologies. Every process is killed when its owner stops it, when starting fails half-way, and when the test
// process exits.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** One redis-server (or redis-sentinel) process owned by a test. */
export interface RedisNode {
  port: number;
  /** Its working directory (nodes.conf, sentinel.conf); removed by {@link RedisNode.stop}. */
  dir: string;
  /** SIGKILL: gone mid-flight, as in a crash. The directory and port stay for {@link RedisNode.start}. */
  kill(): Promise<void>;
  /** Starts it again with the same arguments and directory (a Cluster node rejoins with its nodes.conf). */
  start(): Promise<void>;
  /** SIGKILL if running, then removes the directory. */
  stop(): Promise<void>;
}

/** How to start one node. */
export interface NodeSpec {
  /** Arguments after the defaults (`--port`, `--bind 127.0.0.1`, no persistence, `--dir`). */
  args?: string[];
  /** A config file to pass first (written into the node's directory by `prepare`). */
  prepare?: (dir: string, port: number) => string[];
  /** The port, when the caller reserved it; else a free one. */
  port?: number;
  /** Listen on TLS only: `--port 0 --tls-port <port>` instead of `--port <port>`. */
  tlsOnly?: boolean;
}

const START_TIMEOUT_MS = 5000;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts one node and resolves once its port accepts connections. */
export async function startRedisNode(spec: NodeSpec = {}): Promise<RedisNode> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const child of running) child.kill("SIGKILL");
    });
  }
  const port = spec.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "custos-redis-"));
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    const head = spec.prepare?.(dir, port) ?? [];
    const listen = spec.tlsOnly ? ["--port", "0", "--tls-port", String(port)] : ["--port", String(port)];
    const args = [...head, ...listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", ...(spec.args ?? [])];
    const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    running.add(proc);
    proc.once("exit", () => running.delete(proc));
    let output = "";
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
    proc.once("error", (err) => (output += `\n${err.message}`));
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    child = proc;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await accepts(port))) {
      if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`redis-server did not start on port ${port} (${args.join(" ")}):\n${output}`);
      }
      await sleep(20);
    }
  }

  async function kill(): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGKILL");
    await exited;
  }

  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    dir,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `redis-cli -h 127.0.0.1 -p <port> <args…>` and resolves with its output (rejects on failure or after 10 s). */
export function redisCli(port: number, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { timeout: options.timeoutMs ?? 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli -p ${port} ${args.join(" ")}: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Polls `check` until it returns true; throws with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A port nobody listens on right now (another process may take it later; tests start at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `n` distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

/** Whether something accepts TCP connections on the loopback port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.setTimeout(500, () => socket.destroy());
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(false));
  });
}
