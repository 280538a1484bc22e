// The process entry point and the only file that touches `process`: reads the environment, starts Custos, stops it
// gracefully on SIGTERM/SIGINT (in-flight requests finish, the decision log is flushed, the store closed).
import { createApp } from "./app.js";
import { loadConfig } from "./config/load-config.js";
import { CustosError } from "./errors.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  const { server, logger } = app;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.server.port;
  logger.info("custos listening", {
    event: "listening",
    url: `http://${config.server.host}:${port}`,
    revision: app.policy.current()?.revision,
    state: app.store.kind,
    admin: config.admin.token ? "enabled" : "disabled",
    audit_log: config.audit.path ?? "off",
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
        process.exitCode = 0;
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

main().catch((err: unknown) => {
  const message = err instanceof CustosError ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err);
  process.stderr.write(`custos: cannot start: ${message}\n`);
  process.exit(1);
});
