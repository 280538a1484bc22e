// Quality of the injection detector on the held-out corpora, written apart from the patterns by authors who never
// saw the detector, its code, its training text or any other corpus (see the README). The first one's totals (never
// its items) chose the classifier's threshold and the weight of the hand-written training text, so the unbiased
// figures are the second's and the third's. The third was written from the brief the training text's authors had,
// so it may share their habits: read it beside the second. The floors sit slightly below the measurements, so a
// change that loses ground on text nobody here had read fails here.
import { test } from "node:test";
import { assertInjectionFloors, type InjectionFloors } from "../../helpers/injection-floors.js";

const CORPORA: [name: string, fixture: string, floors: InjectionFloors][] = [
  // Measured with both stages (classifier trained with the hand-written text): all 0.924 / 0.779; prompt
  // 0.970 / 0.699; retrieval 0.909 / 0.885; tool_result 0.882 / 0.600; direct recall 0.699, indirect recall 0.831
  // (before that text: all 0.901 / 0.655).
  ["held-out precision and recall stay at their floors", "injection-heldout.json", {
    minItems: 400,
    all: [0.91, 0.76],
    events: { prompt: [0.95, 0.68], retrieval: [0.89, 0.86], tool_result: [0.86, 0.56] },
    direct: 0.68,
    indirect: 0.81,
  }],
  // Measured with the classifier trained on the hand-written text too: all 0.905 / 0.765; prompt 0.986 / 0.772;
  // retrieval 0.836 / 0.767; tool_result 1.000 / 0.731; direct recall 0.772, indirect recall 0.760 (before that
  // text: all 0.896 / 0.580).
  ["second held-out precision and recall stay at their floors", "injection-heldout-2.json", {
    minItems: 400,
    all: [0.89, 0.74],
    events: { prompt: [0.97, 0.75], retrieval: [0.82, 0.74], tool_result: [0.97, 0.69] },
    direct: 0.75,
    indirect: 0.73,
  }],
  // Measured once: all 0.918 / 0.723; prompt 0.975 / 0.780; retrieval 0.850 / 0.694; tool_result 0.949 / 0.725;
  // direct recall 0.780, indirect recall 0.695 (the classifier before the hand-written text: all 0.795 / 0.400).
  ["third held-out precision and recall stay at their floors", "injection-heldout-3.json", {
    minItems: 250,
    all: [0.9, 0.7],
    events: { prompt: [0.95, 0.76], retrieval: [0.83, 0.67], tool_result: [0.93, 0.7] },
    direct: 0.76,
    indirect: 0.67,
  }],
];

for (const [name, fixture, floors] of CORPORA) test(name, () => assertInjectionFloors(fixture, floors));
