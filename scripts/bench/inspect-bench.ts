// Inspection throughput on realistic prose (1 KiB, 64 KiB, 1 MiB; with no findings and with a few), beside
// baselines measured in the same run on the same text, so the figures read as ratios, not only as MB/s.
// Usage: node dist/scripts/bench/inspect-bench.js [--json]
import { createInspector, MAX_INSPECT_CHARS, RULES } from "../../src/inspect/index.js";

const WORDS = (
  "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you " +
  "were her she there been one all we their has would when if so no what up out about who them more some could into " +
  "than other then its only also time after first two new our over most years people way work may these many well " +
  "should because each just those through how where before must between under while never same another might still " +
  "team meeting review design service policy session model data agent user request response budget quarter plan " +
  "customer support summary update release deploy version report section page figure table chapter project goal " +
  "schedule access account approval risk audit control evidence incident vendor contract invoice delivery quality " +
  "the key point is that we pass the review on time and keep the token budget of the model within its limits"
).split(" ");

/** Deterministic pseudo-random source, so every run measures the same text. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

/** Prose of about `bytes` characters: sentences, numbers, dates, percentages, the odd "Note:" and list item. */
function prose(bytes: number, random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const words: string[] = [];
    const n = 8 + Math.floor(random() * 16);
    for (let i = 0; i < n; i++) {
      // Numbers never stand next to each other (three in a row can form a phone number, as in real text).
      const r = i > 0 && /\d/.test(words[i - 1]!) ? 1 : random();
      if (r < 0.03) words.push(String(Math.floor(random() * 2000)));
      else if (r < 0.035) words.push(`${Math.floor(random() * 100)}%`);
      else if (r < 0.038) words.push(`2024-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`);
      else words.push(pick(WORDS));
    }
    let sentence = words.join(" ");
    sentence = sentence[0]!.toUpperCase() + sentence.slice(1) + pick([". ", ". ", ", and ", "; ", ".\n"]);
    if (random() < 0.05) sentence = `Note: ${sentence}`;
    if (random() < 0.03) sentence = `\n- ${sentence}`;
    parts.push(sentence);
    length += sentence.length;
  }
  return parts.join("").slice(0, bytes);
}

/** A few findings of different kinds (synthetic values), placed at spread-out word boundaries. */
function withFindings(text: string, random: () => number): string {
  const inserts = [
    "contact maria.kowalska@example.org,",
    `key AKIA${"Q7RZ4KX2M9WPL3VB"},`,
    "call +44 20 7946 0958,",
    "card 4111 1111 1111 1111,",
  ];
  let out = text;
  inserts.forEach((s, i) => {
    const at = out.indexOf(" ", Math.floor(((i + random()) / inserts.length) * (out.length - 1)));
    out = at < 0 ? `${out} ${s}` : `${out.slice(0, at)} ${s}${out.slice(at)}`;
  });
  return out.slice(0, text.length + 200);
}

/**
 * Configuration-like text where most lines hold a value a rule looks at (keys, tokens, e-mails, phones, cards,
 * URLs with credentials, assignments), about one finding per 60 bytes, capped below the findings limit.
 */
function secretDense(bytes: number, random: () => number): string {
  const hex = (n: number): string => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(random() * 16)]).join("");
  const b62 = (n: number): string => Array.from({ length: n }, () => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(random() * 62)]).join("");
  const lines = [
    () => `aws_access_key_id = AKIA${b62(16).toUpperCase()}`,
    () => `export GITHUB_TOKEN=ghp_${b62(36)}`,
    () => `contact: ${b62(6).toLowerCase()}@example.org`,
    () => `DATABASE_URL=postgres://app:${b62(12)}@db.internal:5432/app`,
    () => `api_key: "${b62(32)}"`,
    () => `password = "${b62(10)}!9"`,
    () => `datadog_api_key=${hex(32)}`,
    () => `phone +44 20 7946 ${String(1000 + Math.floor(random() * 8999))}`,
    () => `Authorization: Bearer ${b62(40)}`,
    () => `the deploy ran at 10.0.${Math.floor(random() * 250)}.${Math.floor(random() * 250)} after review`,
  ];
  const out: string[] = [];
  let length = 0;
  while (length < bytes) {
    const line = lines[Math.floor(random() * lines.length)]!();
    out.push(line);
    length += line.length + 1;
  }
  return out.join("\n").slice(0, bytes);
}

/** Best time per call in ms over several rounds (the machine is shared; the best round is the least disturbed). */
function timeIt(fn: () => unknown, bytes: number): number {
  const perRound = Math.max(1, Math.ceil(8_000_000 / bytes));
  for (let i = 0; i < perRound; i++) fn();
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const t = performance.now();
    for (let i = 0; i < perRound; i++) fn();
    best = Math.min(best, (performance.now() - t) / perRound);
  }
  return best;
}

interface Row {
  size: string;
  input: "no findings" | "few findings" | "secret-dense";
  bytes: number;
  findings: number;
  inspect_mb_s: number;
  byte_length_mb_s: number;
  regex_test_mb_s: number;
  /** Inspection time divided by the time of one trivial `RegExp.test` over the same text. */
  inspect_vs_regex: number;
  inspect_vs_byte_length: number;
}

const inspector = createInspector({ fingerprintKey: "bench" });
const chunk = (text: string, size: number): string[] => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
const rows: Row[] = [];
for (const [size, bytes] of [["1 KiB", 1024], ["64 KiB", 64 * 1024], ["1 MiB", 1024 * 1024]] as const) {
  const random = seeded(bytes);
  const clean = prose(bytes, random);
  for (const [input, text] of [["no findings", clean], ["few findings", withFindings(clean, random)], ["secret-dense", secretDense(bytes, random)]] as const) {
    const n = Buffer.byteLength(text);
    const trivial = /\bzqxj\b/;
    // Above the findings cap (MAX_FINDINGS_PER_CALL) a call is refused: dense text is inspected in 16 KiB fields.
    // and text above the text cap (MAX_INSPECT_CHARS: the 1 MiB rows with findings inserted) in two calls.
    const fields = input === "secret-dense" ? chunk(text, 16 * 1024) : chunk(text, MAX_INSPECT_CHARS);
    const inspectAll = (): number => fields.reduce((k, t) => k + inspector.inspect([{ field: "data.text", text: t }]).length, 0);
    const inspectMs = timeIt(inspectAll, n);
    const byteLengthMs = timeIt(() => Buffer.byteLength(text), n);
    const regexMs = timeIt(() => trivial.test(text), n);
    const mbs = (ms: number): number => Number((n / 1e6 / (ms / 1000)).toFixed(1));
    rows.push({
      size,
      input,
      bytes: n,
      findings: inspectAll(),
      inspect_mb_s: mbs(inspectMs),
      byte_length_mb_s: mbs(byteLengthMs),
      regex_test_mb_s: mbs(regexMs),
      inspect_vs_regex: Number((inspectMs / regexMs).toFixed(1)),
      inspect_vs_byte_length: Number((inspectMs / byteLengthMs).toFixed(1)),
    });
  }
}

if (!process.argv.includes("--json")) {
  console.log(`inspect-bench: node ${process.version}, ${RULES.length} rules; MB = 10^6 bytes; best of 7 rounds\n`);
  console.log("| input | findings | inspect MB/s | Buffer.byteLength MB/s | RegExp.test MB/s | inspect ÷ RegExp.test time | inspect ÷ byteLength time |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(`| ${r.size}, ${r.input} | ${r.findings} | ${r.inspect_mb_s} | ${r.byte_length_mb_s} | ${r.regex_test_mb_s} | ${r.inspect_vs_regex}× | ${r.inspect_vs_byte_length}× |`);
  }
  console.log("");
}
console.log(JSON.stringify({ node: process.version, rows }, null, process.argv.includes("--json") ? 2 : 0));
