// The JSON logger (winston): one line per event on stdout, level from LOG_LEVEL. Callers pass ids and codes, never
// request bodies, content or tokens.
import winston from "winston";

/** A logger with the four levels Custos uses. */
export type Logger = Pick<winston.Logger, "error" | "warn" | "info" | "debug" | "child" | "isLevelEnabled">;

/** Creates a JSON logger. `stream` defaults to stdout (tests pass their own). */
export function createLogger(level: string, stream?: NodeJS.WritableStream): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: "custos" },
    transports: [stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console()],
  });
}

/** A logger that drops everything (for tests and embedding). */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
