// `npm run bench`: Custos (in-memory ledger; Redis ledger with one worker and with the default one per core),
// `opa run --server` and a bare node:http ceiling, started one after another on loopback and driven by the same wrk
// load (mix.lua over the same request mix); reports throughput, latency percentiles, server CPU and peak RSS per
// target, and the ratios Custos/OPA and Custos/ceiling.
//
//   npm run bench                      # 3 s warm-up + 3 × 10 s rounds per concurrency level (16 and 64 connections)
//   npm run bench -- --quick           # smoke run: 1 s warm-up + 2 × 2 s rounds
//   npm run bench -- --markdown-out .bench/latest.md --targets custos-memory,opa
//
// Options (or environment): --duration S (BENCH_DURATION), --rounds N (BENCH_ROUNDS), --warmup S (BENCH_WARMUP),
// --connections 16,64 (BENCH_CONNECTIONS), --threads N (BENCH_THREADS, wrk threads), --sessions N (BENCH_SESSIONS,
// session ids per request kind), --kinds N (BENCH_KINDS), --redis-workers N|auto (BENCH_REDIS_WORKERS),
// --targets a,b (BENCH_TARGETS: custos-memory, custos-redis, custos-redis-auto = Redis with one worker per core as
// deployed by default, opa, bare; all by default; also custos-memory-shadow and custos-memory-shadow-all, the
// in-memory target with a shadow bundle at the default CUSTOS_SHADOW_CPU_PERCENT and at 100, reported ÷ custos-memory), --quiet-wait S (BENCH_QUIET_WAIT: longest wait for an idle machine
// before each level), --out FILE (default .bench/latest.json), --markdown-out FILE.
import { createReadStream, mkdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { captureInputs, checkAll200, checkOpa } from "./lib/capture.mjs";
import { buildMix, SID } from "./lib/mix.mjs";
import { httpRequest, killAllSync, machineCpu, removeOnExit, runScript, treeCpu, treePeakRssMiB, waitQuiet } from "./lib/proc.mjs";
import { fixed, median, num, parseArgs, round, table, thousands } from "./lib/stats.mjs";
import { BENCH_OVERLAY, opaPath, ROOT, startBare, startCustos, startOpaOnPolicy, startRedis } from "./lib/targets.mjs";
import { checkWrk, runWrk, writeBodies } from "./lib/wrk.mjs";

// custos-redis-auto is the default deployment with Redis (one worker per core); custos-redis (one worker) is the
// one-process row comparable with the others.
const DEFAULT_TARGETS = ["custos-memory", "custos-redis", "custos-redis-auto", "opa", "bare"];
const ALL_TARGETS = [...DEFAULT_TARGETS, "custos-memory-shadow", "custos-memory-shadow-all"];
const LABELS = {
  "custos-memory": "Custos, in-memory ledger",
  "custos-redis": "Custos, Redis ledger, CUSTOS_WORKERS=1",
  "custos-redis-auto": "Custos, Redis ledger, CUSTOS_WORKERS=auto",
  opa: "opa run --server",
  bare: "bare node:http (ceiling)",
  "custos-memory-shadow": "Custos, in-memory ledger, shadow bundle (CUSTOS_SHADOW_CPU_PERCENT=5, the default)",
  "custos-memory-shadow-all": "Custos, in-memory ledger, shadow bundle (CUSTOS_SHADOW_CPU_PERCENT=100)",
};
// The shadow of the shadow targets: the committed bundle with a stricter overlay (PII costs more risk points), so
// that every decision carrying PII disagrees and is recorded as a shadow record: the cost includes the disagreements.
const SHADOW_OVERLAY = { settings: { ...JSON.parse(readFileSync(BENCH_OVERLAY, "utf8")).settings, risk_points: { PII_IN_CONTENT: 10 } } };

const args = parseArgs(process.argv.slice(2));
const quick = Boolean(args.quick);
const config = {
  quick,
  warmupS: num(args.warmup, "BENCH_WARMUP", quick ? 1 : 3),
  durationS: num(args.duration, "BENCH_DURATION", quick ? 2 : 10),
  rounds: num(args.rounds, "BENCH_ROUNDS", quick ? 2 : 3),
  connections: String(args.connections ?? process.env.BENCH_CONNECTIONS ?? "16,64")
    .split(",")
    .map(Number)
    .filter((n) => n > 0),
  threads: num(args.threads, "BENCH_THREADS", 1),
  sessionsPerKind: num(args.sessions, "BENCH_SESSIONS", 2048),
  kinds: num(args.kinds, "BENCH_KINDS", 12),
  quietWaitS: num(args["quiet-wait"], "BENCH_QUIET_WAIT", quick ? 10 : 60),
  redisWorkers: String(args["redis-workers"] ?? process.env.BENCH_REDIS_WORKERS ?? "1"),
  targets: String(args.targets ?? process.env.BENCH_TARGETS ?? DEFAULT_TARGETS.join(",")).split(","),
};
LABELS["custos-redis"] = `Custos, Redis ledger, CUSTOS_WORKERS=${config.redisWorkers}`;
for (const t of config.targets) if (!ALL_TARGETS.includes(t)) throw new Error(`unknown target ${t} (known: ${ALL_TARGETS.join(", ")})`);
const outFile = join(ROOT, String(args.out ?? ".bench/latest.json"));
const log = (s) => process.stderr.write(`bench: ${s}\n`);

function version(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: "utf8" });
  return r.error ? null : (r.stdout + r.stderr).split("\n")[0].trim();
}

/** Sums `custos_decisions_total` by decision from /metrics. */
async function decisionCounts(port) {
  const r = await httpRequest(port, "GET", "/metrics");
  const counts = {};
  for (const m of r.body.matchAll(/^custos_decisions_total\{([^}]*)\} (\d+(?:\.\d+)?)/gm)) {
    const decision = /decision="([^"]+)"/.exec(m[1])?.[1] ?? "?";
    counts[decision] = (counts[decision] ?? 0) + Number(m[2]);
  }
  return counts;
}

/**
 * `policy:replay` of a decision log against the committed bundle and the bench overlay (it must change nothing), and the mean size of its
 * decision records (over the first 20 000) with the complete input and with `input.request` alone.
 */
async function replayOwnLog(file) {
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "src", "main.js"), "policy-replay", "--log", file, "--bundle", join(ROOT, "bundles", "governance.tar.gz"), "--data", BENCH_OVERLAY, "--json"], {
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`policy-replay of the benchmark's log exited ${r.status}: ${r.stderr.slice(0, 2000)}${r.stdout.slice(0, 2000)}`);
  const report = JSON.parse(r.stdout);
  let n = 0;
  let full = 0;
  let requestOnly = 0;
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) {
    const record = JSON.parse(line);
    if (record.type !== "decision") continue;
    if (!record.input?.request) continue;
    full += Buffer.byteLength(line) + 1;
    requestOnly += Buffer.byteLength(JSON.stringify({ ...record, input: record.input.request, output: undefined })) + 1;
    if (++n >= 20_000) break;
  }
  lines.close();
  return {
    records: report.chain.records,
    replayed: report.replayed,
    changed: report.changed,
    seconds: report.seconds,
    records_per_second: report.records_per_second,
    mean_record_bytes: n ? Math.round(full / n) : null,
    mean_record_bytes_request_only: n ? Math.round(requestOnly / n) : null,
  };
}

/** `custos_shadow_evaluations_total` by result from /metrics. */
async function shadowCounts(port) {
  const r = await httpRequest(port, "GET", "/metrics");
  const counts = {};
  for (const m of r.body.matchAll(/^custos_shadow_evaluations_total\{result="([^"]+)"\} (\d+(?:\.\d+)?)/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

/** Warm-up then rounds at each concurrency level; CPU of the server tree (and `extra` processes) per round. */
async function measure(target, bodiesFile, extra = []) {
  const levels = [];
  for (const connections of config.connections) {
    const common = { port: target.port, path: target.path, bodiesFile, connections, threads: config.threads, pool: config.sessionsPerKind };
    const idle = await waitQuiet({ maxMs: config.quietWaitS * 1000 });
    if (idle >= 0.3) log(`  the machine is busy with other work (${idle.toFixed(2)} cores): figures will be lower`);
    log(`  ${connections} connections: warm-up ${config.warmupS} s`);
    const warm = await runWrk({ ...common, durationS: config.warmupS });
    const rounds = [];
    for (let i = 0; i < config.rounds; i++) {
      const cpu0 = treeCpu(target.pid);
      const extra0 = extra.map((p) => treeCpu(p.pid));
      const m0 = machineCpu();
      const t0 = performance.now();
      const r = await runWrk({ ...common, durationS: config.durationS });
      const wallS = (performance.now() - t0) / 1000;
      const cpu1 = treeCpu(target.pid);
      const m1 = machineCpu();
      const serverCpuS = cpu1.user - cpu0.user + (cpu1.sys - cpu0.sys);
      const extraCpuS = extra.map((p, j) => {
        const c = treeCpu(p.pid);
        return c.user - extra0[j].user + (c.sys - extra0[j].sys);
      });
      const runS = r.duration_us / 1e6;
      const machineCores = ((m1.busy - m0.busy) / (m1.total - m0.total)) * availableParallelism();
      const otherCores = machineCores - (serverCpuS + r.wrkCpuS + extraCpuS.reduce((a, b) => a + b, 0)) / wallS;
      rounds.push({
        requests: r.requests,
        rps: round(r.rps, 1),
        latency_ms: { p50: r.latency_us.p50 / 1000, p90: r.latency_us.p90 / 1000, p99: r.latency_us.p99 / 1000, p999: r.latency_us.p999 / 1000, max: r.latency_us.max / 1000 },
        non2xx: r.non2xx,
        socket_errors: r.socketErrors,
        server_cpu_s: round(serverCpuS, 3),
        server_user_s: round(cpu1.user - cpu0.user, 3),
        server_sys_s: round(cpu1.sys - cpu0.sys, 3),
        extra_cpu_s: extraCpuS.map((v) => round(v, 3)),
        wrk_cpu_s: round(r.wrkCpuS, 3),
        machine_cores_busy: round(machineCores, 2),
        other_cores_busy: round(Math.max(0, otherCores), 2),
        run_s: round(runS, 3),
        wall_s: round(wallS, 3),
      });
      log(`  round ${i + 1}: ${thousands(r.rps)} req/s, p99 ${fixed(r.latency_us.p99 / 1000, 2)} ms, non-2xx ${r.non2xx}`);
    }
    const sum = (f) => rounds.reduce((a, x) => a + f(x), 0);
    const totalRun = sum((x) => x.run_s);
    const totalReq = sum((x) => x.requests);
    levels.push({
      connections,
      rps: round(median(rounds.map((x) => x.rps)), 0),
      rps_min: Math.min(...rounds.map((x) => x.rps)),
      rps_max: Math.max(...rounds.map((x) => x.rps)),
      p50_ms: round(median(rounds.map((x) => x.latency_ms.p50)), 3),
      p99_ms: round(median(rounds.map((x) => x.latency_ms.p99)), 3),
      p999_ms: round(median(rounds.map((x) => x.latency_ms.p999)), 3),
      cpu_cores: round(sum((x) => x.server_cpu_s) / totalRun, 2),
      cpu_us_per_request: round((sum((x) => x.server_cpu_s) / totalReq) * 1e6, 1),
      extra_cpu_cores: extra.map((_, j) => round(sum((x) => x.extra_cpu_s[j]) / totalRun, 2)),
      wrk_cpu_cores: round(sum((x) => x.wrk_cpu_s) / totalRun, 2),
      machine_cores_busy: round(median(rounds.map((x) => x.machine_cores_busy)), 2),
      other_cores_busy: round(median(rounds.map((x) => x.other_cores_busy)), 2),
      requests: totalReq,
      non2xx: sum((x) => x.non2xx) + warm.non2xx,
      socket_errors: sum((x) => x.socket_errors) + warm.socketErrors,
      rounds,
    });
  }
  return levels;
}

async function main() {
  const started = Date.now();
  const wrkVersion = checkWrk();
  const opa = config.targets.includes("opa") ? opaPath() : null;
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), "custos-bench-")));
  const benchDir = dirname(outFile);
  mkdirSync(benchDir, { recursive: true });
  try {
    const mix = buildMix({ root: ROOT, kinds: config.kinds });
    log(`mix: ${mix.kinds.length} request kinds from ${mix.source}; ${mix.kinds.filter((k) => k.textBytes).length} with prose text`);

    // Capture the policy inputs from a Custos of its own, so the measured instances start with an empty ledger.
    log("capturing the policy input of every request kind (POST /decide?explain=1)");
    const capDir = join(dir, "capture");
    mkdirSync(capDir);
    const capturer = await startCustos({ dir: capDir });
    let captured;
    try {
      captured = await captureInputs(capturer, mix.kinds);
    } finally {
      await capturer.stop();
    }
    writeFileSync(join(benchDir, "inputs.json"), JSON.stringify(captured, null, 1));

    // Bodies for wrk: Custos and the bare server get the /decide requests, OPA gets {"input": <captured input>}.
    const decideBodies = join(dir, "decide-bodies.txt");
    writeBodies(
      decideBodies,
      mix.kinds.map((k) => {
        const [before, after] = JSON.stringify(k.template).split(SID);
        return { before, after };
      }),
    );
    const opaBodies = join(dir, "opa-bodies.txt");
    writeBodies(opaBodies, captured.map((c) => ({ body: JSON.stringify({ input: c.input }) })));

    const results = {};
    let opaMode = null;
    let opaMismatches = [];
    for (const id of config.targets) {
      log(`${LABELS[id]}`);
      const tdir = join(dir, id);
      mkdirSync(tdir);
      let target;
      let redis = null;
      try {
        if (id === "custos-memory") target = await startCustos({ dir: tdir });
        else if (id === "custos-memory-shadow" || id === "custos-memory-shadow-all") {
          const overlay = join(tdir, "shadow-overlay.json");
          writeFileSync(overlay, JSON.stringify(SHADOW_OVERLAY));
          const env = { CUSTOS_SHADOW_BUNDLE: join(ROOT, "bundles", "governance.tar.gz"), CUSTOS_SHADOW_DATA: overlay };
          if (id === "custos-memory-shadow-all") env.CUSTOS_SHADOW_CPU_PERCENT = "100";
          target = await startCustos({ dir: tdir, env });
        }
        else if (id === "custos-redis" || id === "custos-redis-auto") {
          redis = await startRedis({ dir: join(tdir, "redis") });
          target = await startCustos({ dir: tdir, redisUrl: redis.url, workers: id === "custos-redis" ? config.redisWorkers : "auto" });
        } else if (id === "opa") {
          const o = await startOpaOnPolicy({ opa, dir: tdir, check: async (t) => (opaMismatches = await checkOpa(t, captured)) });
          target = o.target;
          opaMode = o.mode;
          for (const s of o.skipped) log(`  not used: ${s}`);
          log(`  ${o.mode}`);
          if (opaMismatches.length) log(`WARNING: OPA decides differently for ${opaMismatches.map((m) => m.name).join("; ")}`);
        } else target = await startBare();

        if (id !== "opa") await checkAll200(target, mix.kinds, LABELS[id]);

        const levels = await measure(target, id === "opa" ? opaBodies : decideBodies, redis ? [redis] : []);
        const entry = { label: LABELS[id], levels, peak_rss_mib: round(treePeakRssMiB(target.pid), 1) };
        if (id.startsWith("custos")) entry.decisions = await decisionCounts(target.port);
        if (id.startsWith("custos-memory-shadow")) entry.shadow = await shadowCounts(target.port);
        if (redis) {
          entry.redis = { peak_rss_mib: round(treePeakRssMiB(redis.pid), 1), workers: id === "custos-redis" ? config.redisWorkers : "auto" };
          for (const l of levels) l.redis_cpu_cores = l.extra_cpu_cores[0];
        }
        for (const l of levels) delete l.extra_cpu_cores;
        results[id] = entry;
        if (id === "custos-memory") {
          // The benchmark's own decision log, replayed against the same bundle: records per second, and what a record
          // weighs with the complete policy input against the request alone (what records held before they were
          // replayable).
          await target.stop();
          target = null;
          entry.replay = await replayOwnLog(join(tdir, "custos-audit.jsonl"));
          log(`  replayed its log: ${thousands(entry.replay.records)} records at ${thousands(entry.replay.records_per_second)} records/s, ${entry.replay.changed} changed`);
        }
      } finally {
        await target?.stop();
        await redis?.stop();
        rmSync(tdir, { recursive: true, force: true });
      }
    }

    const ratios = [];
    for (const c of ["custos-memory", "custos-redis", "custos-redis-auto", "custos-memory-shadow", "custos-memory-shadow-all"]) {
      for (const base of c.startsWith("custos-memory-shadow") ? ["custos-memory"] : ["opa", "bare"]) {
        if (!results[c] || !results[base]) continue;
        for (const [i, l] of results[c].levels.entries()) {
          const b = results[base].levels[i];
          ratios.push({
            custos: c,
            baseline: base,
            connections: l.connections,
            throughput: round(l.rps / b.rps, 2),
            p99: round(l.p99_ms / b.p99_ms, 2),
          });
        }
      }
    }
    const non2xx = Object.values(results).reduce((a, r) => a + r.levels.reduce((b, l) => b + l.non2xx + l.socket_errors, 0), 0);
    const report = {
      generated_at: new Date().toISOString(),
      machine: { cores: availableParallelism(), memory_gib: Math.round(totalmem() / 2 ** 30) },
      tools: {
        node: process.version,
        wrk: wrkVersion,
        opa: opa ? version(opa, ["version"]) : null,
        redis: version("redis-server", ["--version"]),
      },
      config,
      mix: {
        source: mix.source,
        kinds: mix.kinds.map((k, i) => ({
          name: k.name,
          event: k.event,
          expect: k.expect?.decision ?? null,
          decision: captured[i].decision,
          codes: captured[i].codes,
          text_bytes: k.textBytes,
          body_bytes: Buffer.byteLength(JSON.stringify(k.template)),
        })),
      },
      opa: { mode: opaMode, decision_mismatches: opaMismatches },
      targets: results,
      ratios,
      ok: non2xx === 0 && opaMismatches.length === 0,
      elapsed_s: Math.round((Date.now() - started) / 1000),
    };
    writeFileSync(outFile, `${JSON.stringify(report, null, 1)}\n`);
    const md = markdown(report);
    process.stdout.write(`${md}\n`);
    if (args["markdown-out"]) {
      const f = join(process.cwd(), String(args["markdown-out"]));
      mkdirSync(dirname(f), { recursive: true });
      writeFileSync(f, `${md}\n`);
    }
    log(`results in ${outFile.slice(ROOT.length + 1)} (${report.elapsed_s} s)`);
    if (!report.ok) {
      log(`FAILED: ${non2xx} non-2xx or socket errors, ${opaMismatches.length} OPA decision mismatches`);
      process.exitCode = 1;
    }
  } finally {
    killAllSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Markdown report: one table per concurrency level, then the ratios. */
function markdown(r) {
  const out = [];
  const c = r.config;
  out.push(
    `## Custos benchmark (${r.machine.cores} cores, ${r.machine.memory_gib} GiB; ${c.quick ? "quick" : "full"} run)`,
    "",
    `Load: wrk, ${c.threads} thread(s), ${c.warmupS} s warm-up then ${c.rounds} × ${c.durationS} s per level; ` +
      `${r.mix.kinds.length} request kinds (${r.mix.kinds.filter((k) => k.text_bytes).length} with 2-16 KiB of text) from ${r.mix.source}. ` +
      `Figures are medians over the rounds; CPU is the server's user+sys per wall second (1.00 = one core). ` +
      `wrk runs on the same ${r.machine.cores} cores; "other cores" is CPU used by anything else on the machine meanwhile (it should be near 0).`,
    "",
  );
  if (r.opa.mode) out.push(`OPA: ${r.opa.mode}.`, "");
  for (const [i, conns] of c.connections.entries()) {
    out.push(`### ${conns} connections`, "");
    const rows = Object.values(r.targets).map((t) => {
      const l = t.levels[i];
      return [
        t.label,
        thousands(l.rps),
        fixed(l.p50_ms, 3),
        fixed(l.p99_ms, 3),
        fixed(l.p999_ms, 3),
        fixed(l.cpu_cores, 2) + (l.redis_cpu_cores !== undefined ? ` (+${fixed(l.redis_cpu_cores, 2)} redis)` : ""),
        fixed(l.cpu_us_per_request, 1),
        fixed(l.wrk_cpu_cores, 2),
        fixed(l.other_cores_busy, 2),
        fixed(t.peak_rss_mib, 1),
        String(l.non2xx + l.socket_errors),
      ];
    });
    out.push(
      table(["target", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "CPU cores", "CPU µs/req", "wrk cores", "other cores", "peak RSS MiB", "non-2xx/errors"], rows),
      "",
    );
  }
  if (r.ratios.length) {
    out.push("### Ratios (Custos ÷ baseline)", "");
    out.push(
      table(
        ["Custos", "baseline", "connections", "throughput", "p99 latency"],
        r.ratios.map((x) => [x.custos, x.baseline, String(x.connections), fixed(x.throughput, 2), fixed(x.p99, 2)]),
      ),
      "",
    );
  }
  const d = Object.entries(r.targets)
    .filter(([, t]) => t.decisions)
    .map(([id, t]) => `${id}: ${Object.entries(t.decisions).map(([k, v]) => `${k} ${thousands(v)}`).join(", ")}`);
  if (d.length) out.push(`Decisions served (from /metrics): ${d.join("; ")}.`, "");
  const rp = r.targets["custos-memory"]?.replay;
  if (rp) {
    out.push(
      `Replay of the in-memory target's decision log against the same bundle (\`policy:replay\`): ${thousands(rp.records)} records, ` +
        `${thousands(rp.records_per_second)} records/s, ${rp.changed} changed; a record is ${thousands(rp.mean_record_bytes)} bytes on average ` +
        `(${thousands(rp.mean_record_bytes_request_only)} with the request alone, as before records were replayable).`,
      "",
    );
  }
  const sh = Object.entries(r.targets)
    .filter(([, t]) => t.shadow)
    .map(([id, t]) => `${id}: ${Object.entries(t.shadow).map(([k, v]) => `${k} ${thousands(v)}`).join(", ")}`);
  if (sh.length) out.push(`Shadow evaluations (from /metrics): ${sh.join("; ")}.`, "");
  if (r.opa.decision_mismatches.length) out.push(`**OPA and Custos disagree on**: ${r.opa.decision_mismatches.map((m) => m.name).join("; ")}`, "");
  out.push(r.ok ? "All requests answered 2xx." : "**Some requests failed (non-2xx or socket errors): see the JSON.**");
  return out.join("\n");
}

runScript("bench", main);
