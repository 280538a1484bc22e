// A Sentinel-managed Redis for integration tests, on free loopback ports: one master, one replica and one Sentinel
// (quorum 1), with a forced failover. Everything it starts is stopped by `stop()`, when starting fails half-way,
// and when the test process exits.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { redisCli, startRedisNode, waitFor, type RedisNode } from "./redis-node.js";

/** The topology, as started. After a failover the replica is the master and the other way round. */
export interface RedisSentinel {
  /** The name Sentinel monitors the master under. */
  name: string;
  /** `redis+sentinel://127.0.0.1:<sentinel>/<name>`. */
  url: string;
  sentinel: RedisNode;
  /** The two data nodes, in start order (first = initial master). */
  nodes: [RedisNode, RedisNode];
  /** The port Sentinel currently names as master. */
  masterPort(): Promise<number>;
  /** SENTINEL FAILOVER, then waits until Sentinel names the other node and it is master; resolves with the ms it took. */
  failover(): Promise<number>;
  /** Waits until the node on `port` replicates, in sync, from the current master (a demoted master rejoining). */
  waitReplica(port: number): Promise<number>;
  stop(): Promise<void>;
}

/** Starts master, replica and Sentinel and waits until Sentinel sees the replica in sync. */
export async function startRedisSentinel(name = "custos-test"): Promise<RedisSentinel> {
  const started: RedisNode[] = [];
  const stopAll = () => Promise.all(started.map((n) => n.stop())).then(() => undefined);
  try {
    const master = await startRedisNode();
    started.push(master);
    const replica = await startRedisNode({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    started.push(replica);
    await waitFor("the replica to sync", async () => (await redisCli(replica.port, ["INFO", "replication"])).includes("master_link_status:up"));
    const sentinel = await startRedisNode({
      prepare: (dir) => {
        // Sentinel rewrites its config file, so it lives in the node's own directory.
        const file = join(dir, "sentinel.conf");
        writeFileSync(
          file,
          [
            `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
            `sentinel down-after-milliseconds ${name} 1000`,
            `sentinel failover-timeout ${name} 10000`,
            "",
          ].join("\n"),
        );
        return [file, "--sentinel"];
      },
    });
    started.push(sentinel);
    await waitFor("Sentinel to see the replica", async () => (await redisCli(sentinel.port, ["SENTINEL", "REPLICAS", name])).includes(String(replica.port)));

    const masterPort = async () => Number((await redisCli(sentinel.port, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name])).trim().split("\n")[1]);
    return {
      name,
      url: `redis+sentinel://127.0.0.1:${sentinel.port}/${name}`,
      sentinel,
      nodes: [master, replica],
      masterPort,
      async failover() {
        const before = await masterPort();
        const other = [master, replica].find((n) => n.port !== before)!;
        const t0 = Date.now();
        await redisCli(sentinel.port, ["SENTINEL", "FAILOVER", name]);
        await waitFor("Sentinel to promote the replica", async () => (await masterPort()) === other.port && (await redisCli(other.port, ["ROLE"])).startsWith("master"), 30_000);
        return Date.now() - t0;
      },
      async waitReplica(port) {
        const current = await masterPort();
        return waitFor(`:${port} to replicate from :${current}`, async () => {
          const info = await redisCli(port, ["INFO", "replication"]);
          return info.includes(`master_port:${current}`) && info.includes("master_link_status:up");
        }, 30_000);
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
