// Before any load: checks that every request kind of the mix gets a 200 from a target, and captures from Custos
// (`POST /decide?explain=1`) the exact policy input document it builds for each kind, for OPA and the micro-benchmarks.
import { bodyFor } from "./mix.mjs";
import { DECIDE_PATH, postJson } from "./targets.mjs";

/**
 * Asks Custos once per kind with explain=1.
 * @returns {{name: string, input: object, decision: string, codes: string[]}[]}
 */
export async function captureInputs(custos, kinds) {
  const out = [];
  for (const [i, kind] of kinds.entries()) {
    const r = await postJson(custos.port, `${DECIDE_PATH}?explain=1`, bodyFor(kind, `capture${i}`), {
      authorization: `Bearer ${custos.adminToken}`,
    });
    if (r.status !== 200 || !r.json?.explain?.input) {
      throw new Error(`kind "${kind.name}": /decide?explain=1 answered ${r.status}: ${r.text.slice(0, 400)}`);
    }
    out.push({
      name: kind.name,
      input: r.json.explain.input,
      decision: r.json.explain.output?.decision ?? r.json.decision,
      codes: (r.json.reasons ?? []).map((x) => x.code),
      expect: kind.expect,
    });
  }
  return out;
}

/** Sends each kind once to a Custos-compatible target (Custos or the bare server); throws unless all are 200. */
export async function checkAll200(target, kinds, label) {
  const statuses = [];
  for (const [i, kind] of kinds.entries()) {
    const r = await postJson(target.port, target.path, bodyFor(kind, `check${i}`));
    statuses.push(r.status);
    if (r.status !== 200) throw new Error(`${label}: kind "${kind.name}" answered ${r.status}: ${r.text.slice(0, 400)}`);
  }
  return statuses;
}

/**
 * Sends each captured input to OPA; throws unless all are 200 with a defined result. Returns the kinds whose OPA
 * decision differs from the one Custos's WebAssembly returned for the same input (expected: none).
 */
export async function checkOpa(opa, captured) {
  const mismatches = [];
  for (const c of captured) {
    const r = await postJson(opa.port, opa.path, { input: c.input });
    if (r.status !== 200 || !r.json?.result) {
      throw new Error(`opa: kind "${c.name}" answered ${r.status} without a result: ${r.text.slice(0, 400)}`);
    }
    if (r.json.result.decision !== c.decision) mismatches.push({ name: c.name, custos: c.decision, opa: r.json.result.decision });
  }
  return mismatches;
}
