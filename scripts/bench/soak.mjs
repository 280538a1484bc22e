// Soak: a long run of decisions through the HTTP API against Custos with the in-memory ledger, sampling its RSS and
// V8 heap every few seconds, to show whether memory keeps growing once warm. Bounded in count and in time.
//
//   node scripts/bench/soak.mjs [--count 1000000] [--connections 32] [--sample 5] [--max-minutes 30]
//                               [--warmup-count N] [--sessions N] [--without DECISION] [--max-old-space MiB]
//                               [--markdown-out FILE]
//
// --without escalate drops the request kinds whose fixture expects that decision (e.g. to tell the pending approvals
// every escalation creates, which the ledger keeps until they expire, from a leak). --max-old-space caps Custos's V8
// heap (node --max-old-space-size): V8 collects lazily while it has room, so a growing heap proves little; under a
// cap, a real leak ends in an out-of-memory exit, which the soak reports.
//
// Environment: BENCH_SOAK_COUNT, BENCH_SOAK_CONNECTIONS, BENCH_SOAK_SAMPLE, BENCH_SOAK_MAX_MINUTES, BENCH_SOAK_SESSIONS,
// BENCH_SOAK_WARMUP, BENCH_SOAK_MAX_OLD_SPACE.
// Needs dist/ (npm run build) and wrk. Writes .bench/soak.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { buildMix, SID } from "./lib/mix.mjs";
import { checkAll200 } from "./lib/capture.mjs";
import { emitMarkdown, httpRequest, killAllSync, removeOnExit, runScript, treeCpu, treeRssMiB } from "./lib/proc.mjs";
import { fixed, num, parseArgs, round, table, thousands } from "./lib/stats.mjs";
import { ROOT, startCustos } from "./lib/targets.mjs";
import { checkWrk, runWrk, writeBodies } from "./lib/wrk.mjs";

const args = parseArgs(process.argv.slice(2));
const count = num(args.count, "BENCH_SOAK_COUNT", 1_000_000);
const connections = num(args.connections, "BENCH_SOAK_CONNECTIONS", 32);
const sampleS = num(args.sample, "BENCH_SOAK_SAMPLE", 5);
const maxMinutes = num(args["max-minutes"], "BENCH_SOAK_MAX_MINUTES", 30);
// A small session pool, so the ledger reaches its steady size (every session holding its last 20 events) early:
// 12 kinds × 256 sessions × 20 events ≈ 61 000 decisions, inside the warm-up.
const sessions = num(args.sessions, "BENCH_SOAK_SESSIONS", 256);
const warmupCount = num(args["warmup-count"], "BENCH_SOAK_WARMUP", Math.min(Math.max(100_000, 25 * 12 * sessions), Math.ceil(count / 2)));
const maxOldSpace = args["max-old-space"] ? num(args["max-old-space"], "BENCH_SOAK_MAX_OLD_SPACE", 0) : null;
const log = (s) => process.stderr.write(`soak: ${s}\n`);

/** RSS of the server and its V8 heap (from prom-client's default metrics). */
async function sampleMemory(target) {
  if (target.child.exitCode !== null || target.child.signalCode !== null) {
    throw new Error(`Custos exited (code ${target.child.exitCode}, signal ${target.child.signalCode}):\n${target.child.output().slice(-2000)}`);
  }
  const r = await httpRequest(target.port, "GET", "/metrics");
  const metric = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, "m").exec(r.body)?.[1] ?? NaN) / 2 ** 20;
  const decisions = {};
  for (const m of r.body.matchAll(/^custos_decisions_total\{([^}]*)\} (\S+)/gm)) {
    const d = /decision="([^"]+)"/.exec(m[1])?.[1] ?? "?";
    decisions[d] = (decisions[d] ?? 0) + Number(m[2]);
  }
  return { rss_mib: round(treeRssMiB(target.pid), 1), heap_used_mib: round(metric("nodejs_heap_size_used_bytes"), 1), decisions };
}

async function main() {
  checkWrk();
  const deadline = Date.now() + maxMinutes * 60_000;
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), "custos-soak-")));
  try {
    const mix = buildMix({ root: ROOT });
    if (args.without) mix.kinds = mix.kinds.filter((k) => k.expect?.decision !== args.without);
    const bodies = join(dir, "bodies.txt");
    writeBodies(
      bodies,
      mix.kinds.map((k) => {
        const [before, after] = JSON.stringify(k.template).split(SID);
        return { before, after };
      }),
    );
    const target = await startCustos({ dir, nodeArgs: maxOldSpace ? [`--max-old-space-size=${maxOldSpace}`] : [] });
    await checkAll200(target, mix.kinds, "custos (memory)");
    const start = await sampleMemory(target);
    // Decisions are counted by Custos itself (/metrics): wrk does not count the responses still in flight when it stops.
    const total = (d) => Object.values(d).reduce((a, b) => a + b, 0);
    const base = total(start.decisions);
    const cpu0 = treeCpu(target.pid);
    const t0 = Date.now();
    const common = { port: target.port, path: target.path, bodiesFile: bodies, connections, pool: sessions };
    const remainingS = () => Math.max(1, Math.floor((deadline - Date.now()) / 1000));

    log(`warm-up: ${thousands(warmupCount)} decisions`);
    let done = 0;
    let failures = 0;
    const w = await runWrk({ ...common, durationS: remainingS(), limit: warmupCount });
    failures += w.non2xx + w.socketErrors;
    const warm = await sampleMemory(target);
    done = total(warm.decisions) - base;
    const samples = [{ at_s: round((Date.now() - t0) / 1000, 1), requests: done, ...warm, rps: round(w.rps, 0), p99_ms: w.latency_us.p99 / 1000 }];
    log(`after warm-up: RSS ${warm.rss_mib} MiB, heap ${warm.heap_used_mib} MiB`);

    let timedOut = false;
    while (done < count) {
      if (Date.now() >= deadline) {
        timedOut = true;
        break;
      }
      const r = await runWrk({ ...common, durationS: Math.min(sampleS, remainingS()), limit: count - done });
      failures += r.non2xx + r.socketErrors;
      const m = await sampleMemory(target);
      done = total(m.decisions) - base;
      samples.push({ at_s: round((Date.now() - t0) / 1000, 1), requests: done, ...m, rps: round(r.rps, 0), p99_ms: r.latency_us.p99 / 1000 });
      log(`${thousands(done)} decisions: RSS ${m.rss_mib} MiB, heap ${m.heap_used_mib} MiB, ${thousands(r.rps)} req/s, p99 ${fixed(r.latency_us.p99 / 1000, 2)} ms`);
    }
    const cpu1 = treeCpu(target.pid);
    const end = samples[samples.length - 1];
    await target.stop();

    // Least-squares slope of RSS and heap over decisions after the warm-up, in MiB per million decisions.
    const slope = (key) => {
      const pts = samples.map((s) => [s.requests / 1e6, s[key]]);
      if (pts.length < 2) return null;
      const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
      const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
      const sxx = pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
      return sxx === 0 ? null : round(pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / sxx, 1);
    };
    const rssGrowth = end.rss_mib - warm.rss_mib;
    const heapGrowth = end.heap_used_mib - warm.heap_used_mib;
    const grew = rssGrowth > Math.max(16, 0.1 * warm.rss_mib);
    // The heap used is a sawtooth between collections; its floor (lowest sample) in the first and last quarter of
    // the run after warm-up shows what stays alive.
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const floor = (xs) => Math.min(...xs.map((x) => x.heap_used_mib));
    const heapFloor = { first_quarter: floor(samples.slice(0, quarter)), last_quarter: floor(samples.slice(-quarter)) };
    const elapsedS = (Date.now() - t0) / 1000;
    const escalations = (end.decisions.escalate ?? 0) - (warm.decisions.escalate ?? 0);
    const report = {
      generated_at: new Date().toISOString(),
      machine: { cores: availableParallelism(), memory_gib: Math.round(totalmem() / 2 ** 30) },
      config: { count, connections, sample_s: sampleS, max_minutes: maxMinutes, warmup_count: warmupCount, sessions_per_kind: sessions, kinds: mix.kinds.length },
      decisions: done,
      failures,
      timed_out: timedOut,
      elapsed_s: round(elapsedS, 1),
      mean_rps: round(done / elapsedS, 0),
      cpu_s: round(cpu1.user - cpu0.user + (cpu1.sys - cpu0.sys), 1),
      rss_mib: { start: start.rss_mib, after_warmup: warm.rss_mib, end: end.rss_mib, max: Math.max(...samples.map((s) => s.rss_mib)) },
      heap_used_mib: { start: start.heap_used_mib, after_warmup: warm.heap_used_mib, end: end.heap_used_mib },
      heap_floor_mib: heapFloor,
      without: args.without ?? null,
      max_old_space_mib: maxOldSpace,
      rss_slope_mib_per_million: slope("rss_mib"),
      heap_slope_mib_per_million: slope("heap_used_mib"),
      decisions_by_outcome: end.decisions,
      grew,
      samples,
    };
    const out = join(ROOT, ".bench", "soak.json");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);

    const md = [
      `## Soak: ${thousands(done)} decisions against Custos (in-memory ledger; ${report.machine.cores} cores, ${report.machine.memory_gib} GiB)`,
      "",
      `${connections} connections, ${mix.kinds.length} request kinds${args.without ? ` (without ${args.without})` : ""}${maxOldSpace ? `, V8 heap capped at ${maxOldSpace} MiB` : ""}, ${sessions} session ids per kind; ${fixed(elapsedS, 0)} s at ` +
        `${thousands(report.mean_rps)} decisions/s on average; ${failures} non-2xx or socket errors${timedOut ? "; stopped by the time limit" : ""}.`,
      "",
      table(
        ["", "start", "after warm-up", "end", "growth after warm-up", "slope MiB / 1M decisions"],
        [
          ["RSS MiB", fixed(start.rss_mib, 1), fixed(warm.rss_mib, 1), fixed(end.rss_mib, 1), fixed(rssGrowth, 1), fixed(report.rss_slope_mib_per_million, 1)],
          ["V8 heap used MiB", fixed(start.heap_used_mib, 1), fixed(warm.heap_used_mib, 1), fixed(end.heap_used_mib, 1), fixed(heapGrowth, 1), fixed(report.heap_slope_mib_per_million, 1)],
        ],
      ),
      "",
      `V8 heap floor (lowest sample): ${fixed(heapFloor.first_quarter, 1)} MiB in the first quarter after warm-up, ` +
        `${fixed(heapFloor.last_quarter, 1)} MiB in the last.`,
      `Decisions: ${Object.entries(end.decisions).map(([k, v]) => `${k} ${thousands(v)}`).join(", ")}` +
        (escalations > 0 ? ` (${thousands(escalations)} escalations after the warm-up, each leaving a pending approval in the ledger until it expires).` : "."),
      `Verdict: RSS ${grew ? "GREW" : "stayed flat"} after warm-up (threshold: more than 16 MiB and 10 %).`,
    ].join("\n");
    emitMarkdown(md, args);
    if (failures > 0) process.exitCode = 1;
  } finally {
    killAllSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

runScript("soak", main);
