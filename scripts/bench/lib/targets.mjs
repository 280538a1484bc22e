// The servers the benchmarks compare, each started on a free loopback port: Custos (in-memory or Redis ledger),
// redis-server, `opa run --server` over the same bundle's Rego, and the bare node:http ceiling.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { freePort, httpRequest, sleep, start, stop, waitReady } from "./proc.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root (scripts/bench/lib → ../../..). */
export const ROOT = join(HERE, "..", "..", "..");
export const DECIDE_PATH = "/decide";
export const OPA_PATH = "/v1/data/custos/main/decision";

/** Environment of the harness without any Custos or Redis setting that would leak into a child. */
function cleanEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("CUSTOS_") || k === "REDIS_URL" || k === "PORT" || k === "HOST") delete env[k];
  return env;
}

/** Fails early, with the fix, when dist/ is missing. */
export function checkDist() {
  if (!existsSync(join(ROOT, "dist", "src", "main.js"))) {
    throw new Error("dist/src/main.js is missing: build first with `npm run build` (npx tsc -p tsconfig.json)");
  }
}

/**
 * Starts Custos (`node dist/src/main.js`).
 * @param {{dir: string, redisUrl?: string, workers?: string, nodeArgs?: string[], env?: object}} options
 *   `dir` holds the decision log.
 */
/**
 * The data overlay every benchmarked Custos runs with: the mix repeats 12 requests from a handful of registered
 * principals thousands of times a second, so principal risk would flag them all within a second and only the flagged
 * path would be measured. A threshold out of reach keeps the cross-session write (its cost is measured) and the mix's
 * decisions.
 */
export const BENCH_OVERLAY = join(ROOT, "scripts", "bench", "overlay.json");

export async function startCustos({ dir, redisUrl, workers = "1", nodeArgs = [], env = {} }) {
  checkDist();
  const port = await freePort();
  const adminToken = randomBytes(18).toString("hex");
  const child = start(process.execPath, [...nodeArgs, join("dist", "src", "main.js")], {
    name: redisUrl ? "custos (redis)" : "custos (memory)",
    cwd: ROOT,
    env: {
      ...cleanEnv(),
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      CUSTOS_AUDIT_LOG: join(dir, "custos-audit.jsonl"),
      CUSTOS_ADMIN_TOKEN: adminToken,
      CUSTOS_DATA: BENCH_OVERLAY,
      ...(redisUrl ? { REDIS_URL: redisUrl, CUSTOS_WORKERS: workers } : {}),
      ...env,
    },
  });
  await waitReady(child, port, "/health/ready", 30_000);
  return { child, pid: child.pid, port, path: DECIDE_PATH, adminToken, stop: () => stop(child, { graceMs: 10_000 }) };
}

/** Starts a throwaway redis-server (no persistence) on a free loopback port. */
export async function startRedis({ dir }) {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error) throw new Error("redis-server is not on PATH (bash scripts/ensure-redis.sh)");
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const child = start(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--protected-mode", "yes"],
    { name: "redis-server" },
  );
  const deadline = Date.now() + 10_000;
  while (!child.output().includes("Ready to accept connections")) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${child.output()}`);
    await sleep(20);
  }
  return { child, pid: child.pid, port, url: `redis://127.0.0.1:${port}`, stop: () => stop(child) };
}

/** The pinned opa (scripts/ensure-opa.sh installs it when missing). */
export function opaPath() {
  const r = spawnSync("bash", [join(ROOT, "scripts", "ensure-opa.sh")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`scripts/ensure-opa.sh failed:\n${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Writes, under `dir`, a bundle directory with the Rego sources and data.json of the compiled bundle, without its
 * policy.wasm. The pinned opa is built without a WebAssembly engine (CGO off), so it cannot load the wasm bundle
 * itself ("engine not found"); it evaluates the very same sources with its Rego interpreter (topdown) instead.
 * @returns {{dir: string, revision: string}}
 */
export async function opaBundleDir({ dir, bundle = join(ROOT, "bundles", "governance.tar.gz") }) {
  const { readBundle } = await import(pathToFileURL(join(ROOT, "dist", "src", "policy", "bundle-reader.js")).href);
  const contents = await readBundle(bundle);
  const out = join(dir, "opa-bundle");
  for (const [name, bytes] of contents.files) {
    if (name === "policy.wasm" || name === ".manifest") continue;
    const file = join(out, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
  const { wasm: _wasm, ...manifest } = contents.manifest;
  writeFileSync(join(out, ".manifest"), JSON.stringify(manifest));
  return {
    dir: out,
    revision: contents.manifest.revision,
  };
}

/** Starts `opa run --server` on a bundle (file or directory) or on plain paths, loopback only, no version check. */
export async function startOpa({ opa, paths, bundle = true }) {
  const port = await freePort();
  const child = start(
    opa,
    [
      "run", "--server", "--skip-version-check", "--addr", `127.0.0.1:${port}`, "--log-level", "error",
      ...(bundle ? ["--bundle"] : ["--ignore", "*_test.rego"]), ...paths,
    ],
    { name: "opa" },
  );
  try {
    await waitReady(child, port, "/health", 30_000);
  } catch (err) {
    await stop(child);
    throw err;
  }
  return { child, pid: child.pid, port, path: OPA_PATH, stop: () => stop(child) };
}

/**
 * Starts OPA on the same policy as Custos, trying in order: the compiled bundle itself; the bundle's Rego and data
 * without its policy.wasm (an opa built without a WebAssembly engine refuses a bundle whose manifest names wasm
 * resolvers); the rego/ sources and data. The first whose decisions can be read (a defined result for every
 * captured input) wins. `check(target)` throws when a start is not usable.
 * @returns {{target, mode: string}}
 */
export async function startOpaOnPolicy({ opa, dir, check }) {
  const bundle = join(ROOT, "bundles", "governance.tar.gz");
  const attempts = [
    { mode: "opa run --server bundles/governance.tar.gz (the bundle Custos loads; opa evaluates its Rego sources)", start: () => startOpa({ opa, paths: [bundle] }) },
    {
      mode: "opa run --server over bundles/governance.tar.gz's Rego sources and data.json, policy.wasm removed (the pinned opa has no WebAssembly engine)",
      start: async () => startOpa({ opa, paths: [(await opaBundleDir({ dir, bundle })).dir] }),
    },
    { mode: "opa run --server over rego/ (sources and data, tests ignored)", start: () => startOpa({ opa, paths: [join(ROOT, "rego")], bundle: false }) },
  ];
  const failures = [];
  for (const a of attempts) {
    let target = null;
    try {
      target = await a.start();
      await check(target);
      return { target, mode: a.mode, skipped: failures };
    } catch (err) {
      failures.push(`${a.mode}: ${String(err.message ?? err).split("\n")[0]}`);
      await target?.stop();
    }
  }
  throw new Error(`opa could not serve the policy:\n${failures.join("\n")}`);
}

/** Starts the bare node:http ceiling (bare-server.mjs). */
export async function startBare() {
  const port = await freePort();
  const child = start(process.execPath, [join(HERE, "..", "bare-server.mjs")], { name: "bare node:http", env: { PORT: String(port) } });
  await waitReady(child, port, "/health", 10_000);
  return { child, pid: child.pid, port, path: DECIDE_PATH, stop: () => stop(child) };
}

/** POSTs one JSON body and returns {status, json}. */
export async function postJson(port, path, body, headers = {}) {
  const r = await httpRequest(port, "POST", path, { body, headers });
  let json = null;
  try {
    json = JSON.parse(r.body);
  } catch {
    // not JSON
  }
  return { status: r.status, json, text: r.body };
}
