// Quality on the labelled corpus: precision and recall per kind stay at or above 0.95.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createInspector } from "../../../src/inspect/index.js";
import { formatReport, loadCorpus, measureQuality } from "../../../scripts/inspect-quality.js";

const corpus = loadCorpus();

test("the corpus is big and varied enough to mean something", () => {
  const positives = corpus.filter((i) => i.expect.length > 0);
  assert.ok(positives.length >= 300, `${positives.length} positives`);
  assert.ok(corpus.length - positives.length >= 300, `${corpus.length - positives.length} negatives`);
  const perType = new Map<string, number>();
  for (const i of positives) for (const e of i.expect) perType.set(e.type, (perType.get(e.type) ?? 0) + 1);
  for (const [type, n] of perType) assert.ok(n >= 2, `${type} has ${n} positive(s)`);
  for (const t of ["email", "phone", "payment-card", "iban", "us-ssn", "ip-address"]) assert.ok((perType.get(t) ?? 0) >= 10, t);
});

test("precision and recall per kind are at least 0.95", () => {
  const report = measureQuality(createInspector({ fingerprintKey: "corpus-test" }), corpus);
  console.log(formatReport(report));
  for (const kind of ["secret", "pii"]) {
    const s = report.byKind[kind]!;
    assert.ok(s.precision >= 0.95, `${kind} precision ${s.precision}`);
    assert.ok(s.recall >= 0.95, `${kind} recall ${s.recall}`);
  }
});
