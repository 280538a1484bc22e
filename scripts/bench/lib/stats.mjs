// Small statistics and formatting helpers shared by the benchmark scripts.

/** The q-quantile (0..1) of a numeric array, by nearest rank on a sorted copy. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export const median = (values) => quantile(values, 0.5);

/** Rounds to `digits` significant-ish decimals for reports. */
export function round(v, digits = 2) {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** "12 345" style thousands separator (a thin space reads well in Markdown and terminals). */
export function thousands(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return Math.round(v)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** Fixed decimals or a dash. */
export function fixed(v, digits = 2) {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits);
}

/** Renders a Markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "--:")).join("|")}|`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}

/** Parses `--name value`, `--name=value` and `--flag` into an object; bare words go into `_`. */
export function parseArgs(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      out._.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    if (eq !== -1) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = true;
  }
  return out;
}

/** A positive number from an argument, an environment variable, or a default. */
export function num(arg, env, fallback) {
  const v = arg ?? process.env[env];
  if (v === undefined || v === true) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${env}: expected a positive number, got ${v}`);
  return n;
}
