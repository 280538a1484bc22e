// Starts the real service as production runs it (`node dist/src/main.js`, node:cluster workers when asked) for the
// tests of several workers, and resolves once every worker said it listens.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A running service process. */
export interface StartedService {
  url: string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** Spawns `node dist/src/main.js` with `env` and resolves once `workers` workers said they listen. */
export function startService(env: Record<string, string>, workers: number): Promise<StartedService> {
  const child = spawn(process.execPath, ["dist/src/main.js"], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise<StartedService>((resolve, reject) => {
    const urls = new Set<string>();
    const seen = new Set<number>();
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = /"url":"([^"]+)".*"worker":(\d+)/.exec(line);
      if (!m) return;
      urls.add(m[1]!);
      seen.add(Number(m[2]));
      if (seen.size === workers) resolve({ url: [...urls][0]!, exited, kill: (s) => child.kill(s) });
    });
    child.on("exit", (code) => reject(new Error(`custos exited (${code}) before ${workers} workers listened`)));
  });
}
