// Every regex of the injection detector is judged safe (linear time) by the recheck ReDoS analyzer: the patterns,
// the gates and the shapes of encoded payloads, as data, and the context checks the detector runs on short slices.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSync } from "recheck";
import { DECODE_REGEXES, INJECTION_GATES, INJECTION_PATTERNS } from "../../../src/inspect/injection/index.js";

const sources: { name: string; source: string; flags: string }[] = [
  ...INJECTION_PATTERNS.map((p) => ({ name: `pattern ${p.id}`, source: p.regex, flags: `g${p.flags ?? ""}` })),
  ...INJECTION_PATTERNS.filter((p) => p.then).map((p) => ({ name: `pattern ${p.id} (then)`, source: p.then!.regex, flags: p.flags ?? "" })),
  ...INJECTION_GATES.map((g) => ({ name: `gate ${g.id}`, source: g.regex, flags: g.flags ?? "" })),
  ...Object.entries(DECODE_REGEXES).map(([k, source]) => ({ name: `decode ${k}`, source, flags: "g" })),
];

// The automaton checker decides from the regex's structure, so its verdict does not depend on a random seed or on how
// busy the machine is (the fuzzing checker's can).
test("every injection regex is linear-time by recheck", { timeout: 170_000 }, () => {
  const unsafe: string[] = [];
  for (const { name, source, flags } of sources) {
    const d = checkSync(source, flags, { timeout: 20_000, checker: "automaton" });
    if (d.status !== "safe") unsafe.push(`${name}: ${d.status}${d.status === "vulnerable" ? ` (${d.complexity.type})` : ""}`);
  }
  assert.deepEqual(unsafe, []);
  assert.ok(sources.length >= 40, `${sources.length} regexes checked`);
});
