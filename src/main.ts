// The process entry point and the only file that touches `process`: reads the environment, starts Custos (one
// process, or a node:cluster primary with workers sharing the port), stops gracefully on SIGTERM/SIGINT: in-flight
// requests finish, the decision log is flushed, the store closed. `main.js audit-verify|audit-query|policy-replay …`
// run the decision log's tools.
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { createApp } from "./app.js";
import { startPrimary } from "./cluster/primary.js";
import type { PrimaryChannel } from "./cluster/worker-bridge.js";
import { loadConfig, type Config } from "./config/load-config.js";
import { CustosError } from "./errors.js";
import { createLogger } from "./observability/logger.js";
import { redactRedisUrl } from "./session/redis-url.js";

async function serve(config: Config, worker: number | null): Promise<void> {
  // A cluster worker talks to the primary over this process's IPC channel.
  const primary: PrimaryChannel | undefined =
    worker === null
      ? undefined
      : {
          send: (message) => {
            if (!process.send) throw new Error("not a cluster worker: no IPC channel to the primary");
            process.send(message);
          },
          onMessage: (listener) => void process.on("message", listener),
        };
  const app = await createApp(config, primary ? { primary } : {});
  const { server, logger } = app;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(new CustosError("listen_failed", `cannot listen on HOST ${config.server.host}, PORT ${config.server.port}: ${err.code ?? err.message}`, { cause: err })),
    );
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.server.port;
  logger.info("custos listening", {
    event: "listening",
    url: `${config.tls ? "https" : "http"}://${config.server.host}:${port}`,
    revision: app.policy.current()?.revision,
    state: app.store.kind,
    ...(config.state.redis ? { redis: redactRedisUrl(config.state.redis.url) } : {}),
    admin: config.admin.token ? "enabled" : "disabled",
    audit_log: config.audit.path ?? "off",
    ...(worker === null ? {} : { worker }),
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping", { event: "stopping", signal });
    const force = setTimeout(() => {
      logger.error("graceful stop timed out; exiting", { event: "stop_timeout" });
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => {
        logger.info("stopped", { event: "stopped" });
        setImmediate(() => process.exit(0));
      },
      (err: unknown) => {
        logger.error("stop failed", { event: "stop_failed", error: (err as Error).message });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/** The cluster primary (cluster/primary.ts) under this process's signals: stops when told or when a worker failed. */
function supervise(config: Config): void {
  const primary = startPrimary(config, createLogger(config.log.level));
  const stop = (signal: NodeJS.Signals) => {
    primary.stop(signal).then(
      (code) => process.exit(code),
      (err: unknown) => {
        process.stderr.write(`custos: stop failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  void primary.failed.then(() => stop("SIGTERM"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, availableParallelism());
  if (config.server.workers > 1 && cluster.isPrimary) return supervise(config);
  const index = cluster.isWorker ? Number(process.env.CUSTOS_WORKER_INDEX ?? cluster.worker?.id ?? 1) : null;
  await serve(config, index);
}

/** A command of the decision log's tools: its arguments, lines out and lines to stderr, and the exit code. */
type Command = (args: string[], out: (line: string) => void, err: (line: string) => void) => Promise<number>;

/**
 * The decision log's tools, run as `main.js <name> …` (npm run audit:verify / audit:query / policy:replay), loaded only
 * when asked for: audit/verify-cli.ts, audit/query-cli.ts, audit/replay-cli.ts.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  "audit-verify": async () => (await import("./audit/verify-cli.js")).runVerify,
  "audit-query": async () => (await import("./audit/query-cli.js")).runQuery,
  "policy-replay": async () => (await import("./audit/replay-cli.js")).runReplay,
};

async function runCommand(load: () => Promise<Command>, args: string[]): Promise<void> {
  const line = (stream: NodeJS.WriteStream) => (l: string) => void stream.write(`${l}\n`);
  try {
    process.exitCode = await (await load())(args, line(process.stdout), line(process.stderr));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}

const command = COMMANDS[process.argv[2] ?? ""];
if (command) void runCommand(command, process.argv.slice(3));
else main().catch(failStart);

function failStart(err: unknown): void {
  const message = err instanceof CustosError ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err);
  process.stderr.write(`custos: cannot start: ${message}\n`);
  process.exit(1);
}
