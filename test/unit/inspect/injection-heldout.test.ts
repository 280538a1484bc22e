// Quality of the injection detector on the held-out corpus, written apart from the patterns by an author who never
// saw them (see the README). Measured once when it arrived; these floors sit slightly below that measurement, so a
// change that loses ground on text the rules were not written against fails here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createInjectionDetector } from "../../../src/inspect/index.js";
import { formatInjectionReport, heldOutCorpusPath, loadInjectionCorpus, measureInjectionQuality } from "../../../scripts/injection-quality.js";

test("held-out precision and recall stay at their floors", () => {
  const corpus = loadInjectionCorpus(heldOutCorpusPath());
  assert.ok(corpus.length >= 400, `${corpus.length} items`);
  const r = measureInjectionQuality(createInjectionDetector(), corpus);
  console.log(formatInjectionReport(r));
  // Measured: all 0.897 / 0.370; prompt 0.951 / 0.419; retrieval 0.863 / 0.389; tool_result 1.000 / 0.160;
  // direct recall 0.419, indirect recall 0.338.
  const floors: [string, number, number][] = [
    ["prompt", 0.93, 0.4],
    ["retrieval", 0.84, 0.37],
    ["tool_result", 0.95, 0.14],
  ];
  assert.ok(r.all.precision >= 0.87, `precision ${r.all.precision}`);
  assert.ok(r.all.recall >= 0.35, `recall ${r.all.recall}`);
  for (const [event, p, rec] of floors) {
    assert.ok(r.byEvent[event]!.precision >= p, `${event} precision ${r.byEvent[event]!.precision}`);
    assert.ok(r.byEvent[event]!.recall >= rec, `${event} recall ${r.byEvent[event]!.recall}`);
  }
  assert.ok(r.byKind.direct!.recall >= 0.4, `direct recall ${r.byKind.direct!.recall}`);
  assert.ok(r.byKind.indirect!.recall >= 0.32, `indirect recall ${r.byKind.indirect!.recall}`);
});
