// Throwaway Redis processes for integration tests, on free loopback ports: single nodes with any arguments (ACL,
// TLS, replication) and a Redis Cluster built from them with `redis-cli --cluster create`. Every process is killed
// when its owner stops it, when starting fails half-way, and when the test process exits.
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

/** One line of CLUSTER NODES. */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: "master" | "replica";
  /** Master's id for a replica, else `-`. */
  masterId: string;
  failed: boolean;
  /** Slot ranges a master serves, inclusive. */
  slots: [number, number][];
}

/** A Redis Cluster owned by a test. */
export interface RedisCluster {
  /** `redis+cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,…` (every node, masters first). */
  url: string;
  nodes: RedisNode[];
  /** The topology as the node on `askPort` (default: the first live one) sees it. */
  topology(askPort?: number): Promise<ClusterNodeInfo[]>;
  /**
   * Resolves (with the milliseconds it took) once every live node serves all slots, sees `expectedNodes` nodes
   * not flagged as failing, and each live replica is in sync with its master.
   */
  waitHealthy(expectedNodes?: number): Promise<number>;
  node(port: number): RedisNode;
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface ClusterSpec {
  /** @default 3 */
  masters?: number;
  /** @default 1 */
  replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long before a silent master is failed over. @default 1500 */
  nodeTimeoutMs?: number;
}

/** Starts the nodes, creates the cluster and waits until it is healthy; on any failure stops what it started. */
export async function startRedisCluster(spec: ClusterSpec = {}): Promise<RedisCluster> {
  const masters = spec.masters ?? 3;
  const replicas = spec.replicasPerMaster ?? 1;
  const count = masters * (1 + replicas);
  const nodes: RedisNode[] = [];
  const stopAll = () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined);
  try {
    const ports = await freePorts(count * 2);
    for (let i = 0; i < count; i++) {
      // The bus port is given explicitly: the default (port + 10000) may be taken or above 65535.
      const args = [
        "--cluster-enabled", "yes",
        "--cluster-config-file", "nodes.conf",
        "--cluster-node-timeout", String(spec.nodeTimeoutMs ?? 1500),
        "--cluster-port", String(ports[count + i]),
      ];
      nodes.push(await startRedisNode({ port: ports[i]!, args }));
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await redisCli(nodes[0]!.port, ["--cluster", "create", ...addresses, "--cluster-replicas", String(replicas), "--cluster-yes"], { timeoutMs: 30_000 });
    const cluster = makeCluster(nodes, stopAll);
    await cluster.waitHealthy(count);
    return cluster;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function makeCluster(nodes: RedisNode[], stopAll: () => Promise<void>): RedisCluster {
  const alive = async () => {
    const up: RedisNode[] = [];
    for (const n of nodes) if (await accepts(n.port)) up.push(n);
    return up;
  };
  async function topology(askPort?: number): Promise<ClusterNodeInfo[]> {
    const port = askPort ?? (await alive())[0]?.port;
    if (port === undefined) throw new Error("no cluster node is running");
    return parseClusterNodes(await redisCli(port, ["CLUSTER", "NODES"]));
  }
  return {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(",")}`,
    nodes,
    topology,
    node(port) {
      const n = nodes.find((x) => x.port === port);
      if (!n) throw new Error(`no node on port ${port}`);
      return n;
    },
    waitHealthy: (expectedNodes = nodes.length) =>
      waitFor(`a healthy cluster of ${expectedNodes} nodes`, async () => {
        for (const n of await alive()) {
          const info = await redisCli(n.port, ["CLUSTER", "INFO"]);
          if (!info.includes("cluster_state:ok") || !info.includes("cluster_slots_ok:16384")) return false;
          const view = await topology(n.port);
          if (view.filter((x) => !x.failed).length !== expectedNodes) return false;
          const me = view.find((x) => x.port === n.port);
          if (me?.role === "replica" && !(await redisCli(n.port, ["INFO", "replication"])).includes("master_link_status:up")) return false;
        }
        return true;
      }, 30_000),
    stop: stopAll,
  };
}

function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .trim()
    .split("\n")
    .map((line) => {
      const [id, address, flags, masterId, , , , , ...ranges] = line.trim().split(" ") as [string, string, string, string, ...string[]];
      const port = Number(/:(\d+)@/.exec(address)?.[1]);
      const set = flags.split(",");
      return {
        id,
        port,
        role: set.includes("master") ? "master" : "replica",
        masterId,
        failed: set.includes("fail") || set.includes("fail?") || set.includes("noaddr"),
        slots: ranges.filter((r) => /^\d/.test(r)).map((r) => r.split("-").map(Number)).map(([from, to]) => [from!, to ?? from!]),
      } as ClusterNodeInfo;
    });
}

/** The Cluster slot of a key (CRC16/XMODEM of its hash tag or whole name, mod 16384), as the server computes it. */
export function keySlot(key: string): number {
  const bytes = Buffer.from(key);
  const open = bytes.indexOf("{");
  const close = open < 0 ? -1 : bytes.indexOf("}", open + 1);
  const tagged = open >= 0 && close > open + 1 ? bytes.subarray(open + 1, close) : bytes;
  let crc = 0;
  for (const byte of tagged) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** The port of the master serving `slot` in a topology. */
export function ownerPort(view: ClusterNodeInfo[], slot: number): number {
  const owner = view.find((n) => n.role === "master" && !n.failed && n.slots.some(([from, to]) => slot >= from && slot <= to));
  if (!owner) throw new Error(`no live master serves slot ${slot}`);
  return owner.port;
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
