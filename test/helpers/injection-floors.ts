// The floors of a held-out injection corpus: one assertion set, so every held-out test checks the same things (the
// totals, per event kind, and recall per attack kind) and prints the same report.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createInjectionDetector } from "../../src/inspect/index.js";
import { formatInjectionReport, loadInjectionCorpus, measureInjectionQuality } from "../../scripts/injection-quality.js";

/** Least precision and recall accepted: overall, per event kind, and recall of direct and indirect attacks. */
export interface InjectionFloors {
  minItems: number;
  all: [precision: number, recall: number];
  events: Record<string, [precision: number, recall: number]>;
  direct: number;
  indirect: number;
}

/** Measures the committed detector on `fixture` (a file name under test/fixtures/) and checks `floors`. */
export function assertInjectionFloors(fixture: string, floors: InjectionFloors): void {
  const corpus = loadInjectionCorpus(fileURLToPath(new URL(`../../../test/fixtures/${fixture}`, import.meta.url)));
  assert.ok(corpus.length >= floors.minItems, `${corpus.length} items`);
  const r = measureInjectionQuality(createInjectionDetector(), corpus);
  console.log(formatInjectionReport(r));
  assert.ok(r.all.precision >= floors.all[0], `precision ${r.all.precision}`);
  assert.ok(r.all.recall >= floors.all[1], `recall ${r.all.recall}`);
  for (const [event, [p, rec]] of Object.entries(floors.events)) {
    assert.ok(r.byEvent[event]!.precision >= p, `${event} precision ${r.byEvent[event]!.precision}`);
    assert.ok(r.byEvent[event]!.recall >= rec, `${event} recall ${r.byEvent[event]!.recall}`);
  }
  assert.ok(r.byKind.direct!.recall >= floors.direct, `direct recall ${r.byKind.direct!.recall}`);
  assert.ok(r.byKind.indirect!.recall >= floors.indirect, `indirect recall ${r.byKind.indirect!.recall}`);
}
