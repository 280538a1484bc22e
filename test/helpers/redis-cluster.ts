// A Redis Cluster for integration tests, built from redis-node.ts nodes with `redis-cli --cluster create`, and the
// slot arithmetic its tests need.
import { accepts, freePorts, redisCli, startRedisNode, waitFor, type RedisNode } from "./redis-node.js";

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
