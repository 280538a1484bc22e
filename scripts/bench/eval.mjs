// Micro-benchmarks of policy evaluation alone: opa-wasm (Custos's engine, loaded as Custos loads it) over the exact
// policy inputs Custos builds for the request mix, against `opa bench` (the pinned opa's Rego interpreter) on the same
// inputs; then evaluation time against the size of the principal registry (lookups must not grow with it).
//
//   node scripts/bench/eval.mjs [--quick] [--iterations N] [--sizes 10,1000,100000] [--no-opa] [--markdown-out FILE]
//
// Needs dist/ (npm run build). Writes .bench/eval.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { captureInputs } from "./lib/capture.mjs";
import { buildMix } from "./lib/mix.mjs";
import { emitMarkdown, killAllSync, removeOnExit, runScript } from "./lib/proc.mjs";
import { fixed, num, parseArgs, quantile, round, table, thousands } from "./lib/stats.mjs";
import { checkDist, opaBundleDir, opaPath, ROOT, startCustos } from "./lib/targets.mjs";

const args = parseArgs(process.argv.slice(2));
const quick = Boolean(args.quick);
const iterations = num(args.iterations, "BENCH_EVAL_ITERATIONS", quick ? 3000 : 20000);
const sizes = String(args.sizes ?? process.env.BENCH_EVAL_SIZES ?? "10,1000,100000").split(",").map(Number);
const withOpa = !args["no-opa"];
const log = (s) => process.stderr.write(`eval: ${s}\n`);

checkDist();
const dist = (p) => import(pathToFileURL(join(ROOT, "dist", "src", ...p.split("/"))).href);
const { readBundle } = await dist("policy/bundle-reader.js");
const { loadPolicyInstance, GOVERNANCE_ENTRYPOINT } = await dist("policy/policy-engine.js");

/** Times `iterations` evaluations, each on its own; returns µs percentiles and evaluations per second. */
function timeEvaluations(policy, inputs, n) {
  for (let i = 0; i < Math.min(2000, n); i++) policy.evaluate(GOVERNANCE_ENTRYPOINT, inputs[i % inputs.length]);
  const samples = new Float64Array(n);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    policy.evaluate(GOVERNANCE_ENTRYPOINT, inputs[i % inputs.length]);
    samples[i] = Number(process.hrtime.bigint() - a) / 1000;
  }
  const totalS = Number(process.hrtime.bigint() - t0) / 1e9;
  return { p50_us: round(quantile(samples, 0.5), 1), p99_us: round(quantile(samples, 0.99), 1), evals_per_s: Math.round(n / totalS) };
}

/** `opa bench` on one input; tries the bundle, then its sources without policy.wasm, then rego/. */
function opaBench(opa, inputFile, sources) {
  const r = spawnSync(opa, ["bench", "--format", "json", "--count", "1", ...sources, "--input", inputFile, "data.custos.main.decision"], {
    encoding: "utf8",
    timeout: 120_000,
  });
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // not JSON: an error message
  }
  if (!json || !json.N) return { error: (json?.errors?.[0]?.message ?? r.stderr ?? r.stdout).slice(0, 300) };
  const x = json.Extra ?? {};
  return {
    ns_per_op: Math.round(json.T / json.N),
    evals_per_s: Math.round(json.N / (json.T / 1e9)),
    p50_us: round((x.histogram_timer_rego_query_eval_ns_median ?? NaN) / 1000, 1),
    p99_us: round((x["histogram_timer_rego_query_eval_ns_99%"] ?? NaN) / 1000, 1),
    allocs_per_op: Math.round(json.MemAllocs / json.N),
  };
}

/** `count` registered principals: the bundle's own, plus generated agents (each with an owner, scopes, tools). */
function principalsOverlay(existing, count) {
  const out = {};
  const need = Math.max(0, count - Object.keys(existing).length);
  for (let i = 0; i < need; i++) {
    const id = `agent:generated-${String(i).padStart(6, "0")}`;
    out[id] = {
      type: "agent",
      owner: `user:owner-${i % 977}`,
      clearance: ["public", "internal", "confidential"][i % 3],
      scopes: ["cases:read", "llm:invoke", `team-${i % 50}:read`],
      purposes: ["customer_support"],
      groups: [`team-${i % 50}`],
      tools: { "crm/search_cases": {}, "github/read_file": { paths: ["src/**", "docs/**"] } },
    };
  }
  return { principals: out };
}

async function main() {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), "custos-eval-")));
  try {
    log("capturing the policy inputs of the mix from a Custos (POST /decide?explain=1)");
    const mix = buildMix({ root: ROOT });
    const custos = await startCustos({ dir });
    let captured;
    try {
      captured = await captureInputs(custos, mix.kinds);
    } finally {
      await custos.stop();
    }

    const bundlePath = join(ROOT, "bundles", "governance.tar.gz");
    const bundle = await readBundle(bundlePath);
    const policy = await loadPolicyInstance(bundle, null, { requiredEntrypoints: [GOVERNANCE_ENTRYPOINT] });

    // 1. opa-wasm per request kind and over the whole mix, beside opa bench on the same input.
    let opa = null;
    let opaSources = null;
    if (withOpa) {
      opa = opaPath();
      const probe = join(dir, "probe.json");
      writeFileSync(probe, JSON.stringify(captured[0].input));
      const candidates = [
        { label: "opa bench -b bundles/governance.tar.gz", args: ["-b", bundlePath] },
        { label: "opa bench -b <the bundle's Rego and data, policy.wasm removed>", args: async () => ["-b", (await opaBundleDir({ dir, bundle: bundlePath })).dir] },
        { label: "opa bench -d rego/ (sources and data)", args: ["-d", join(ROOT, "rego"), "--ignore", "*_test.rego"] },
      ];
      for (const c of candidates) {
        const a = typeof c.args === "function" ? await c.args() : c.args;
        const r = opaBench(opa, probe, a);
        if (!r.error) {
          opaSources = { label: c.label, args: a };
          break;
        }
        log(`not used: ${c.label}: ${r.error.split("\n")[0]}`);
      }
      if (!opaSources) log("opa bench could not load the policy; skipping it");
    }

    const perKind = [];
    for (const c of captured) {
      const wasm = timeEvaluations(policy, [c.input], iterations);
      let native = null;
      if (opaSources) {
        const f = join(dir, "input.json");
        writeFileSync(f, JSON.stringify(c.input));
        native = opaBench(opa, f, opaSources.args);
      }
      perKind.push({ name: c.name, decision: c.decision, wasm, opa: native });
      log(`${c.name}: wasm p50 ${wasm.p50_us} µs${native && !native.error ? `, opa bench ${(native.ns_per_op / 1000).toFixed(1)} µs/op` : ""}`);
    }
    const all = timeEvaluations(
      policy,
      captured.map((c) => c.input),
      iterations * 2,
    );

    // 2. Registry size: the same request with 10, 1 000, 100 000 registered principals.
    const registry = [];
    const existing = bundle.data?.governance?.principals ?? {};
    const scaleInput = captured.find((c) => c.decision === "allow")?.input ?? captured[0].input;
    for (const size of sizes) {
      const overlay = principalsOverlay(existing, size);
      const t0 = performance.now();
      const p = await loadPolicyInstance(bundle, overlay, { requiredEntrypoints: [GOVERNANCE_ENTRYPOINT], memory: { maximumPages: 32768 } });
      const loadMs = performance.now() - t0;
      const total = Object.keys(existing).length + Object.keys(overlay.principals).length;
      const r = timeEvaluations(p, [scaleInput], iterations);
      registry.push({ principals: total, load_ms: round(loadMs, 0), ...r, rss_mib: round(process.memoryUsage().rss / 2 ** 20, 0) });
      log(`${thousands(total)} principals: p50 ${r.p50_us} µs, ${thousands(r.evals_per_s)} evals/s (load ${loadMs.toFixed(0)} ms)`);
    }
    const first = registry[0];
    const last = registry[registry.length - 1];

    const report = {
      generated_at: new Date().toISOString(),
      machine: { cores: availableParallelism(), memory_gib: Math.round(totalmem() / 2 ** 30) },
      node: process.version,
      opa: opa ? spawnSync(opa, ["version"], { encoding: "utf8" }).stdout.split("\n")[0] : null,
      opa_bench_mode: opaSources?.label ?? null,
      iterations,
      revision: bundle.manifest.revision,
      per_kind: perKind,
      whole_mix_wasm: all,
      registry,
      registry_ratio_p50: round(last.p50_us / first.p50_us, 2),
      registry_ratio_throughput: round(last.evals_per_s / first.evals_per_s, 2),
    };
    const out = join(ROOT, ".bench", "eval.json");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);

    const md = [
      `## Policy evaluation alone (${report.machine.cores} cores, ${report.machine.memory_gib} GiB; ${iterations} evaluations per row)`,
      "",
      `opa-wasm in Node (Custos's engine) vs ${report.opa_bench_mode ?? "opa bench (not run)"} (Go, Rego interpreter), same input documents.`,
      "",
      table(
        ["request kind", "decision", "wasm p50 µs", "wasm p99 µs", "wasm evals/s", "opa bench µs/op", "opa p50 µs", "opa p99 µs", "opa evals/s"],
        perKind.map((k) => [
          k.name,
          k.decision,
          fixed(k.wasm.p50_us, 1),
          fixed(k.wasm.p99_us, 1),
          thousands(k.wasm.evals_per_s),
          k.opa && !k.opa.error ? fixed(k.opa.ns_per_op / 1000, 1) : "–",
          k.opa && !k.opa.error ? fixed(k.opa.p50_us, 1) : "–",
          k.opa && !k.opa.error ? fixed(k.opa.p99_us, 1) : "–",
          k.opa && !k.opa.error ? thousands(k.opa.evals_per_s) : "–",
        ]),
      ),
      "",
      `Whole mix through opa-wasm: p50 ${fixed(all.p50_us, 1)} µs, p99 ${fixed(all.p99_us, 1)} µs, ${thousands(all.evals_per_s)} evaluations/s.`,
      "",
      "### Registry size (same request)",
      "",
      table(
        ["principals", "load + setData ms", "p50 µs", "p99 µs", "evals/s"],
        registry.map((r) => [thousands(r.principals), thousands(r.load_ms), fixed(r.p50_us, 1), fixed(r.p99_us, 1), thousands(r.evals_per_s)]),
      ),
      "",
      `p50 at ${thousands(last.principals)} ÷ p50 at ${thousands(first.principals)} principals: ${fixed(report.registry_ratio_p50, 2)} ` +
        `(throughput ratio ${fixed(report.registry_ratio_throughput, 2)}).`,
    ].join("\n");
    emitMarkdown(md, args);
  } finally {
    killAllSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

runScript("eval", main);
