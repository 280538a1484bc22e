// Quality of the injection detector on the first held-out corpus, written apart from the patterns by an author who
// never saw them (see the README). Its totals (never its items) also chose the classifier's thresholds, so the
// unbiased figures are the second held-out corpus's; these floors sit slightly below the measurement.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createInjectionDetector } from "../../../src/inspect/index.js";
import { formatInjectionReport, heldOutCorpusPath, loadInjectionCorpus, measureInjectionQuality } from "../../../scripts/injection-quality.js";

test("held-out precision and recall stay at their floors", () => {
  const corpus = loadInjectionCorpus(heldOutCorpusPath());
  assert.ok(corpus.length >= 400, `${corpus.length} items`);
  const r = measureInjectionQuality(createInjectionDetector(), corpus);
  console.log(formatInjectionReport(r));
  // Measured with both stages: all 0.901 / 0.655; prompt 0.933 / 0.602; retrieval 0.883 / 0.735; tool_result
  // 0.923 / 0.480; direct recall 0.602, indirect recall 0.690.
  const floors: [string, number, number][] = [
    ["prompt", 0.91, 0.58],
    ["retrieval", 0.87, 0.68],
    ["tool_result", 0.9, 0.44],
  ];
  assert.ok(r.all.precision >= 0.88, `precision ${r.all.precision}`);
  assert.ok(r.all.recall >= 0.62, `recall ${r.all.recall}`);
  for (const [event, p, rec] of floors) {
    assert.ok(r.byEvent[event]!.precision >= p, `${event} precision ${r.byEvent[event]!.precision}`);
    assert.ok(r.byEvent[event]!.recall >= rec, `${event} recall ${r.byEvent[event]!.recall}`);
  }
  assert.ok(r.byKind.direct!.recall >= 0.58, `direct recall ${r.byKind.direct!.recall}`);
  assert.ok(r.byKind.indirect!.recall >= 0.64, `indirect recall ${r.byKind.indirect!.recall}`);
});
