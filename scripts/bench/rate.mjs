// Latency at a fixed request rate (open loop): for each target, its peak throughput with wrk (closed loop, 64
// connections), then vegeta sending the same mix at a constant rate of a fraction of that peak (default one half,
// and one quarter), whatever the answers' latency. This is the measure behind "p99 at half of peak throughput",
// which a closed-loop generator cannot give (it slows down with the server, hiding the queueing).
//
//   node scripts/bench/rate.mjs [--targets custos-redis-auto,custos-redis,custos-memory] [--fractions 0.5,0.25]
//                               [--duration 20] [--peak-duration 10] [--sessions 64] [--markdown-out FILE]
//
// Needs dist/ (npm run build), wrk, redis-server and vegeta (bash scripts/ensure-vegeta.sh installs the pinned one).
// Writes .bench/rate.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { checkAll200 } from "./lib/capture.mjs";
import { bodyFor, buildMix, SID } from "./lib/mix.mjs";
import { emitMarkdown, killAllSync, removeOnExit, runScript, start } from "./lib/proc.mjs";
import { fixed, num, parseArgs, table, thousands } from "./lib/stats.mjs";
import { ROOT, startCustos, startRedis } from "./lib/targets.mjs";
import { checkWrk, runWrk, writeBodies } from "./lib/wrk.mjs";

const args = parseArgs(process.argv.slice(2));
const LABELS = {
  "custos-redis-auto": "Custos, Redis ledger, CUSTOS_WORKERS=auto",
  "custos-redis": "Custos, Redis ledger, CUSTOS_WORKERS=1",
  "custos-memory": "Custos, in-memory ledger",
};
const targets = String(args.targets ?? "custos-redis-auto,custos-redis,custos-memory").split(",");
for (const t of targets) if (!LABELS[t]) throw new Error(`unknown target ${t} (known: ${Object.keys(LABELS).join(", ")})`);
const fractions = String(args.fractions ?? "0.5,0.25").split(",").map(Number);
const durationS = num(args.duration, "BENCH_RATE_DURATION", 20);
const peakS = num(args["peak-duration"], "BENCH_RATE_PEAK_DURATION", 10);
const sessions = num(args.sessions, "BENCH_RATE_SESSIONS", 64);
const log = (m) => process.stderr.write(`rate: ${m}\n`);

/** vegeta's targets file: every kind's body for every session number, kinds interleaved. */
function writeTargets(dir, port, kinds) {
  const lines = [];
  for (let n = 0; n < sessions; n++) {
    for (const [i, kind] of kinds.entries()) {
      const file = join(dir, `body-${i}-${n}.json`);
      writeFileSync(file, bodyFor(kind, n));
      lines.push(`POST http://127.0.0.1:${port}/decide`, "Content-Type: application/json", `@${file}`, "");
    }
  }
  const targetsFile = join(dir, "targets.txt");
  writeFileSync(targetsFile, lines.join("\n"));
  return targetsFile;
}

/** Sends `rate` requests per second for `durationS` and returns vegeta's report (latencies in ms). */
async function attack(vegeta, targetsFile, rate, dir) {
  const out = join(dir, `results-${rate}.bin`);
  const child = start(vegeta, [
    "attack", `-targets=${targetsFile}`, "-format=http", `-rate=${rate}/1s`, `-duration=${durationS}s`, "-timeout=10s",
    "-max-workers=512", "-keepalive=true", `-output=${out}`,
  ], { name: "vegeta" });
  const { code } = await child.exited;
  if (code !== 0) throw new Error(`vegeta attack failed (code ${code}):\n${child.output()}`);
  const report = JSON.parse(execFileSync(vegeta, ["report", "-type=json", out], { encoding: "utf8" }));
  const ms = (ns) => ns / 1e6;
  return {
    rate_requested: rate,
    rate_sent: report.rate,
    throughput: report.throughput,
    success: report.success,
    status_codes: report.status_codes,
    errors: report.errors,
    p50_ms: ms(report.latencies["50th"]),
    p90_ms: ms(report.latencies["90th"]),
    p99_ms: ms(report.latencies["99th"]),
    max_ms: ms(report.latencies.max),
  };
}

async function main() {
  checkWrk();
  const vegeta = execFileSync("bash", [join(ROOT, "scripts", "ensure-vegeta.sh")], { encoding: "utf8" }).trim();
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), "custos-rate-")));
  const benchDir = join(ROOT, ".bench");
  mkdirSync(benchDir, { recursive: true });
  try {
    const mix = buildMix({ root: ROOT });
    const wrkBodies = join(dir, "wrk-bodies.txt");
    writeBodies(wrkBodies, mix.kinds.map((k) => {
      const [before, after] = JSON.stringify(k.template).split(SID);
      return { before, after };
    }));
    const results = {};
    for (const id of targets) {
      log(LABELS[id]);
      const tdir = join(dir, id);
      mkdirSync(tdir);
      let redis = null;
      let target = null;
      try {
        if (id === "custos-memory") target = await startCustos({ dir: tdir });
        else {
          redis = await startRedis({ dir: join(tdir, "redis") });
          target = await startCustos({ dir: tdir, redisUrl: redis.url, workers: id === "custos-redis" ? "1" : "auto" });
        }
        await checkAll200(target, mix.kinds, LABELS[id]);
        const targetsFile = writeTargets(tdir, target.port, mix.kinds);
        const peak = await runWrk({ port: target.port, path: target.path, bodiesFile: wrkBodies, connections: 64, durationS: peakS, pool: sessions });
        log(`  peak (wrk, 64 connections, ${peakS} s): ${thousands(Math.round(peak.rps))} req/s`);
        const levels = [];
        for (const f of fractions) {
          const rate = Math.max(1, Math.round(peak.rps * f));
          const r = await attack(vegeta, targetsFile, rate, tdir);
          log(`  ${f} of peak = ${thousands(rate)} req/s: p50 ${fixed(r.p50_ms, 2)} ms, p99 ${fixed(r.p99_ms, 2)} ms, success ${fixed(r.success * 100, 1)} %`);
          levels.push({ fraction: f, ...r });
        }
        results[id] = { label: LABELS[id], peak_rps: peak.rps, levels };
      } finally {
        await target?.stop();
        await redis?.stop();
      }
    }
    const report = {
      machine: { cores: availableParallelism(), memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
      config: { targets, fractions, duration_s: durationS, peak_duration_s: peakS, sessions_per_kind: sessions, kinds: mix.kinds.length },
      results,
    };
    writeFileSync(join(benchDir, "rate.json"), `${JSON.stringify(report, null, 1)}\n`);
    const rows = [];
    for (const r of Object.values(results)) {
      for (const l of r.levels) {
        rows.push([r.label, thousands(Math.round(r.peak_rps)), `${l.fraction}`, thousands(l.rate_requested), fixed(l.p50_ms, 2), fixed(l.p90_ms, 2), fixed(l.p99_ms, 2), fixed(l.max_ms, 1), `${fixed(l.success * 100, 1)} %`]);
      }
    }
    const md = [
      `## Latency at a fixed rate (${availableParallelism()} cores; vegeta, ${durationS} s per level; peak by wrk at 64 connections)`,
      "",
      table(["target", "peak req/s", "fraction", "rate req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "2xx"], rows),
    ].join("\n");
    emitMarkdown(md, args);
  } finally {
    killAllSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

runScript("rate", main);
