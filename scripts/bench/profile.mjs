// CPU profile of Custos under the benchmark load: runs `node --cpu-prof dist/src/main.js` (in-memory ledger), drives
// it with wrk and the request mix, stops it gracefully so V8 writes the .cpuprofile, and prints the functions and the
// components (WebAssembly policy, inspection, HTTP, JSON, crypto, GC, …) with the most self time.
//
//   node scripts/bench/profile.mjs [--duration 15] [--connections 32] [--top 25] [--redis] [--markdown-out FILE]
//
// Writes .bench/profile/CPU.*.cpuprofile, one per thread (open them in Chrome DevTools), and .bench/profile.json.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { checkAll200 } from "./lib/capture.mjs";
import { buildMix, SID } from "./lib/mix.mjs";
import { emitMarkdown, killAllSync, removeOnExit, runScript, sleep } from "./lib/proc.mjs";
import { fixed, num, parseArgs, table, thousands } from "./lib/stats.mjs";
import { ROOT, startCustos, startRedis } from "./lib/targets.mjs";
import { checkWrk, runWrk, writeBodies } from "./lib/wrk.mjs";

const args = parseArgs(process.argv.slice(2));
const durationS = num(args.duration, "BENCH_PROFILE_DURATION", args.quick ? 5 : 15);
const connections = num(args.connections, "BENCH_PROFILE_CONNECTIONS", 32);
const top = num(args.top, "BENCH_PROFILE_TOP", 25);
const log = (s) => process.stderr.write(`profile: ${s}\n`);

/** Where a profile frame's code lives, as a short component name. */
function component(url, name) {
  if (name === "(garbage collector)") return "GC";
  if (name === "(idle)" || name === "(program)" || name === "(root)") return name;
  if (!url) return name.startsWith("wasm-function") || name.startsWith("$") ? "WebAssembly (policy)" : "native / builtins";
  if (url.startsWith("wasm://")) return "WebAssembly (policy)";
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0].replace(/^internal$/, "internal")}`;
  const nm = url.lastIndexOf("node_modules/");
  if (nm !== -1) {
    const rest = url.slice(nm + 13).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = url.indexOf("/dist/src/");
  if (src !== -1) {
    const parts = url.slice(src + 10).split("/");
    return `custos ${parts.length > 1 ? parts.slice(0, -1).join("/") : parts[0].replace(/\.js$/, "")}`;
  }
  return "other";
}

/** Self time per function and per component from a .cpuprofile. */
function analyze(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fns = new Map();
  const comps = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || "(anonymous)";
    const comp = component(url, name);
    if (comp === "(idle)") {
      idle += us;
      continue;
    }
    total += us;
    const file = url ? (url.startsWith("file://") ? relative(ROOT, new URL(url).pathname) : url) : "";
    const key = `${name}\u0000${file}:${lineNumber + 1}`;
    const f = fns.get(key) ?? { function: name, where: file ? `${file}:${lineNumber + 1}` : "", component: comp, self_ms: 0 };
    f.self_ms += us / 1000;
    fns.set(key, f);
    comps.set(comp, (comps.get(comp) ?? 0) + us / 1000);
  }
  const busyMs = total / 1000;
  const functions = [...fns.values()].sort((a, b) => b.self_ms - a.self_ms).map((f) => ({ ...f, share: f.self_ms / busyMs }));
  const components = [...comps.entries()].map(([name, ms]) => ({ component: name, self_ms: ms, share: ms / busyMs })).sort((a, b) => b.self_ms - a.self_ms);
  return { busy_ms: busyMs, idle_ms: idle / 1000, functions, components };
}

async function main() {
  checkWrk();
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), "custos-profile-")));
  const profDir = join(ROOT, ".bench", "profile");
  mkdirSync(profDir, { recursive: true });
  let redis = null;
  try {
    const mix = buildMix({ root: ROOT });
    const bodies = join(dir, "bodies.txt");
    writeBodies(
      bodies,
      mix.kinds.map((k) => {
        const [before, after] = JSON.stringify(k.template).split(SID);
        return { before, after };
      }),
    );
    if (args.redis) redis = await startRedis({ dir: join(dir, "redis") });
    const before = new Set(readdirSync(profDir));
    const target = await startCustos({
      dir,
      redisUrl: redis?.url,
      // V8's default names (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile) keep the main thread (thread 0) and the
      // decision-log worker thread apart.
      nodeArgs: ["--cpu-prof", "--cpu-prof-dir", profDir],
    });
    await checkAll200(target, mix.kinds, "custos");
    log(`${durationS} s of load at ${connections} connections`);
    const r = await runWrk({ port: target.port, path: target.path, bodiesFile: bodies, connections, durationS });
    await target.stop();
    await redis?.stop();
    const isMain = (f) => f.split(".").at(-3) === "0";
    let files = [];
    for (let i = 0; i < 100 && !files.some(isMain); i++) {
      files = readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile") && !before.has(f));
      if (!files.some(isMain)) await sleep(100);
    }
    const file = files.find(isMain);
    if (!file) throw new Error("no .cpuprofile was written (did Custos exit gracefully?)");
    const a = analyze(JSON.parse(readFileSync(join(profDir, file), "utf8")));
    // Worker threads (the decision log) run beside the thread that answers requests; their busy time is reported apart.
    const workers = files
      .filter((f) => !isMain(f))
      .map((f) => {
        const w = analyze(JSON.parse(readFileSync(join(profDir, f), "utf8")));
        return { file: `.bench/profile/${f}`, busy_ms: w.busy_ms, idle_ms: w.idle_ms, functions: w.functions.slice(0, 10) };
      });
    const report = { file: `.bench/profile/${file}`, requests: r.requests, rps: Math.round(r.rps), connections, duration_s: durationS, ...a, worker_threads: workers };
    report.functions = report.functions.slice(0, 200);
    writeFileSync(join(ROOT, ".bench", "profile.json"), `${JSON.stringify(report, null, 1)}\n`);

    const pct = (x) => `${(x * 100).toFixed(1)} %`;
    const md = [
      `## CPU profile of Custos under load (${args.redis ? "Redis" : "in-memory"} ledger; ${thousands(r.rps)} req/s, ${thousands(r.requests)} requests)`,
      "",
      `Self time while busy: ${thousands(a.busy_ms)} ms (idle ${thousands(a.idle_ms)} ms). Profile: ${report.file}.`,
      "",
      ...workers.map(
        (w) =>
          `Worker thread (decision log): busy ${thousands(w.busy_ms)} ms (${thousands((w.busy_ms * 1000) / r.requests)} µs per request), ` +
          `top: ${w.functions.slice(0, 4).map((f) => `\`${f.function}\` ${pct(f.self_ms / w.busy_ms)}`).join(", ")}. Profile: ${w.file}.\n`,
      ),
      table(["component", "self ms", "share"], a.components.slice(0, 15).map((c) => [c.component, thousands(c.self_ms), pct(c.share)])),
      "",
      table(
        ["function", "where", "component", "self ms", "share"],
        a.functions.slice(0, top).map((f) => [`\`${f.function}\``, f.where, f.component, fixed(f.self_ms, 0), pct(f.share)]),
      ),
    ].join("\n");
    emitMarkdown(md, args);
  } finally {
    killAllSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

runScript("profile", main);
