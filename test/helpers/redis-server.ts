// Starts a throwaway Debian `redis-server` on a free loopback port for integration tests; it can be stopped,
// killed (a crash) and restarted on the same port, and never outlives the test process.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./redis-cluster.js";

/** A running redis-server owned by one test file. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Graceful stop (SHUTDOWN NOSAVE, SIGTERM as fallback); also removes the temp dir. */
  stop(): Promise<void>;
  /** SIGKILL: Redis vanishes mid-flight, as in a crash. The port stays reserved for {@link restart}. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty unless started with `persist`), stopping it first if it still runs. */
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 5000;

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** `appendonly yes` with `appendfsync always`, so a restart keeps every acknowledged write. @default false */
  persist?: boolean;
}

/** Starts redis-server and resolves once it answers PING. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error("redis-server is not on PATH; install it with `bash scripts/ensure-redis.sh` (Debian: apt-get install redis-server)");
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "custos-redis-"));
  let child: ChildProcess | null = null;
  const killOnExit = () => child?.kill("SIGKILL");
  process.once("exit", killOnExit);

  async function start(): Promise<void> {
    const persistence = options.persist ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", dir, "--daemonize", "no"];
    const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.once("error", (err) => (output += `\n${err.message}`));
    proc.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    proc.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child = proc;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answersPing(port))) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`redis-server did not start on port ${port}:\n${output}`);
      }
      await sleep(20);
    }
  }

  async function halt(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    if (signal === "SIGTERM") await send(port, "SHUTDOWN NOSAVE\r\n").catch(() => proc.kill("SIGTERM"));
    else proc.kill("SIGKILL");
    const forced = setTimeout(() => proc.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(forced);
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await halt("SIGTERM");
      process.removeListener("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => halt("SIGKILL"),
    async restart() {
      await halt("SIGTERM");
      await start();
    },
  };
}


/** Writes one inline command and resolves with the first reply chunk (or rejects when nothing answers). */
function send(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.setTimeout(500, () => socket.destroy(new Error("timeout")));
    socket.once("error", reject);
    socket.once("connect", () => socket.write(command));
    socket.once("data", (d) => {
      resolve(d.toString());
      socket.destroy();
    });
    // SHUTDOWN closes the connection without a reply.
    socket.once("close", () => resolve(""));
  });
}

async function answersPing(port: number): Promise<boolean> {
  try {
    return (await send(port, "PING\r\n")).startsWith("+PONG");
  } catch {
    return false;
  }
}
