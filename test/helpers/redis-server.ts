// A throwaway Debian `redis-server` for integration tests (one node of redis-node.ts, the one starter): it can be
// stopped, killed (a crash) and restarted on the same port, optionally persisting every write, and never outlives the
// test process.
import { spawnSync } from "node:child_process";
import { redisCli, startRedisNode, waitFor } from "./redis-node.js";

/** A running redis-server owned by one test file. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Stops it and removes its temp dir. */
  stop(): Promise<void>;
  /** SIGKILL: Redis vanishes mid-flight, as in a crash. The port stays reserved for {@link restart}. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty unless started with `persist`), stopping it first if it still runs. */
  restart(): Promise<void>;
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** `appendonly yes` with `appendfsync always`, so a restart keeps every acknowledged write. @default false */
  persist?: boolean;
}

/** Starts redis-server and resolves once it answers PING (a persisting one has loaded its data by then). */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error("redis-server is not on PATH; install it with `bash scripts/ensure-redis.sh` (Debian: apt-get install redis-server)");
  }
  const node = await startRedisNode(options.persist ? { args: ["--appendonly", "yes", "--appendfsync", "always"] } : {});
  const ready = () => waitFor(`redis-server on ${node.port} to answer PING`, async () => (await redisCli(node.port, ["PING"])).trim() === "PONG", 5000);
  await ready();
  return {
    url: `redis://127.0.0.1:${node.port}`,
    port: node.port,
    stop: () => node.stop(),
    kill: () => node.kill(),
    async restart() {
      await node.kill();
      await node.start();
      await ready();
    },
  };
}
