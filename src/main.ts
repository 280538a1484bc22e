// The process entry point and the only file that touches `process`: reads the environment, starts Custos (one
// process, or a node:cluster primary with workers sharing the port), stops gracefully on SIGTERM/SIGINT: in-flight
// requests finish, the decision log is flushed, the store closed.
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { createApp } from "./app.js";
import { loadConfig, type Config } from "./config/load-config.js";
import { CustosError } from "./errors.js";
import { createLogger } from "./observability/logger.js";
import { redactRedisUrl } from "./session/redis-url.js";

/** `custos-audit.jsonl` → `custos-audit.w2.jsonl`: each worker keeps its own hash chain. */
function workerAuditPath(path: string | null, worker: number): string | null {
  if (!path) return null;
  const dot = path.lastIndexOf(".");
  const slash = path.lastIndexOf("/");
  return dot > slash + 1 ? `${path.slice(0, dot)}.w${worker}${path.slice(dot)}` : `${path}.w${worker}`;
}

async function serve(config: Config, worker: number | null): Promise<void> {
  const effective: Config = worker === null ? config : { ...config, audit: { path: workerAuditPath(config.audit.path, worker) } };
  const app = await createApp(effective);
  const { server, logger } = app;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.server.port;
  logger.info("custos listening", {
    event: "listening",
    url: `${config.tls ? "https" : "http"}://${config.server.host}:${port}`,
    revision: app.policy.current()?.revision,
    state: app.store.kind,
    ...(config.state.redisUrl ? { redis: redactRedisUrl(config.state.redisUrl) } : {}),
    admin: config.admin.token ? "enabled" : "disabled",
    audit_log: effective.audit.path ?? "off",
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

/**
 * The cluster primary: forks the workers, replaces one that dies after it served, passes stop signals on and waits
 * for them. A worker that exits before it ever listened could not start (bad bundle, port taken…): trying again
 * would only loop, so the primary stops the others and exits 1; the worker has said why on stderr.
 */
function supervise(config: Config): void {
  const logger = createLogger(config.log.level);
  let stopping = false;
  let exitCode = 0;
  const fork = (n: number) => {
    let listened = false;
    const worker = cluster.fork({ CUSTOS_WORKER_INDEX: String(n) });
    worker.on("listening", () => {
      listened = true;
    });
    worker.on("exit", (code, signal) => {
      if (stopping) return;
      if (!listened) {
        logger.error("worker could not start; stopping", { event: "worker_start_failed", worker: n, code, signal });
        exitCode = 1;
        stop("SIGTERM");
        return;
      }
      logger.error("worker exited; starting a new one", { event: "worker_exit", worker: n, code, signal });
      setTimeout(() => {
        if (!stopping) fork(n);
      }, 500);
    });
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        process.exit(exitCode);
      }
    }, 50);
  };
  for (let i = 1; i <= config.server.workers; i++) fork(i);
  logger.info("custos primary started", { event: "primary", workers: config.server.workers });
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, availableParallelism());
  if (config.server.workers > 1 && cluster.isPrimary) return supervise(config);
  const index = cluster.isWorker ? Number(process.env.CUSTOS_WORKER_INDEX ?? cluster.worker?.id ?? 1) : null;
  await serve(config, index);
}

main().catch((err: unknown) => {
  const message = err instanceof CustosError ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err);
  process.stderr.write(`custos: cannot start: ${message}\n`);
  process.exit(1);
});
