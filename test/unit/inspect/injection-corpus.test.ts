// Quality of the injection detector on the development corpus: floors for precision and recall per event kind, and
// for recall on direct jailbreaks and on indirect injections. The corpus is the one the patterns were written
// against, so these floors guard against regressions; the held-out figures are in injection-heldout.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createInjectionDetector } from "../../../src/inspect/index.js";
import { formatInjectionReport, loadInjectionCorpus, measureInjectionQuality } from "../../../scripts/injection-quality.js";

const corpus = loadInjectionCorpus();

test("the development corpus covers every event kind, both labels and ten languages", () => {
  for (const event of ["prompt", "retrieval", "tool_result", "output"]) {
    const items = corpus.filter((i) => i.event === event);
    assert.ok(items.some((i) => i.label === "injection") && items.some((i) => i.label === "benign"), event);
  }
  const langs = new Set(corpus.filter((i) => i.label === "injection").map((i) => i.lang));
  for (const l of ["en", "de", "fr", "es", "pt", "it", "nl", "zh", "ja", "ru"]) assert.ok(langs.has(l), l);
  assert.ok(corpus.filter((i) => i.label === "benign").length >= 60);
  assert.equal(new Set(corpus.map((i) => i.id)).size, corpus.length);
});

test("precision and recall per event kind stay at their floors on the development corpus", () => {
  const report = measureInjectionQuality(createInjectionDetector(), corpus);
  console.log(formatInjectionReport(report));
  for (const event of ["prompt", "retrieval", "tool_result", "output"]) {
    const s = report.byEvent[event]!;
    // The second stage, trained on other text, flags two of its hard negatives, both tool results (0.900 there).
    assert.ok(s.precision >= 0.89, `${event} precision ${s.precision}`);
    assert.ok(s.recall >= 0.95, `${event} recall ${s.recall}`);
  }
  assert.ok(report.byKind.direct!.recall >= 0.95, `direct recall ${report.byKind.direct!.recall}`);
  assert.ok(report.byKind.indirect!.recall >= 0.95, `indirect recall ${report.byKind.indirect!.recall}`);
});
