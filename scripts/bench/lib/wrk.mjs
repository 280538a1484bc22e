// Runs Debian's `wrk` with mix.lua against one loopback target and returns its figures (and its own CPU use, since
// the load generator shares the machine's cores with the server it measures).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuOf, start } from "./proc.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The committed wrk script. */
export const MIX_LUA = join(HERE, "..", "mix.lua");

/** Throws a helpful error when wrk is not installed. */
export function checkWrk() {
  const r = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  if (r.error) throw new Error("wrk is not on PATH (Debian: apt-get install wrk)");
  return (r.stdout + r.stderr).split("\n")[0].trim();
}

/**
 * Writes the bodies file mix.lua reads. Each entry is {body} (fixed) or {before, after} (session number between).
 */
export function writeBodies(file, entries) {
  const lines = entries.map((e) => (e.body !== undefined ? `F\t${e.body}` : `T\t${e.before}\t${e.after}`));
  for (const l of lines) if (l.includes("\n")) throw new Error("a body contains a newline");
  writeFileSync(file, `${lines.join("\n")}\n`);
}

/**
 * One wrk run. Ends after `durationS`, or earlier once `limit` requests per thread were sent (mix.lua stops its
 * thread and this sends wrk SIGINT so it reports at once).
 * @returns {Promise<{requests, duration_us, rps, errors, non2xx, latency_us, wrkCpuS}>}
 */
export async function runWrk({ port, path, bodiesFile, connections, threads = 1, durationS, limit = 0, pool = 1000, timeoutS = 10 }) {
  const args = [
    "-t", String(threads), "-c", String(connections), "-d", `${Math.max(1, Math.round(durationS))}s`,
    "--timeout", `${timeoutS}s`, "-s", MIX_LUA, `http://127.0.0.1:${port}${path}`,
    "--", bodiesFile, String(limit > 0 ? Math.ceil(limit / threads) : 0), String(pool),
  ];
  let result = null;
  let limited = 0;
  const child = start("wrk", args, {
    name: "wrk",
    onLine(line) {
      if (line.startsWith("BENCH_RESULT ")) result = JSON.parse(line.slice("BENCH_RESULT ".length));
      else if (line.startsWith("BENCH_LIMIT_REACHED") && ++limited >= threads) child.kill("SIGINT");
    },
  });
  // wrk's CPU, sampled while it runs (its /proc entry vanishes when it exits).
  let cpu = { user: 0, sys: 0 };
  const sampler = setInterval(() => {
    const c = cpuOf(child.pid);
    if (c) cpu = c;
  }, 200);
  const hardStop = setTimeout(() => child.kill("SIGKILL"), (durationS + timeoutS + 30) * 1000);
  const { code, signal } = await child.exited;
  clearInterval(sampler);
  clearTimeout(hardStop);
  if (!result) throw new Error(`wrk failed (code ${code}, signal ${signal}):\n${child.output()}`);
  return {
    ...result,
    rps: result.requests / (result.duration_us / 1e6),
    non2xx: result.errors.status,
    socketErrors: result.errors.connect + result.errors.read + result.errors.write + result.errors.timeout,
    wrkCpuS: cpu.user + cpu.sys,
  };
}
