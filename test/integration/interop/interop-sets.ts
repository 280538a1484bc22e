// Reads the public AuthZEN interoperability decision sets (Todo, API gateway and 1.0 certification cases, from the
// OpenID AuthZEN interop project, MIT: test/fixtures/authzen-interop/LICENSE-authzen-todo-backend-MIT.txt), kept
// unchanged in test/fixtures/authzen-interop/, and builds the test bundles of the scenarios from
// test/fixtures/authzen-*.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildBundle } from "../../helpers/build-bundle.js";

/** The directory of the decision sets. */
export const INTEROP_DIR = resolve("test", "fixtures", "authzen-interop");

/** A JSON file of the decision sets. */
export function interopSet<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(INTEROP_DIR, name), "utf8")) as T;
}

/** The Todo scenario bundle: the fixture's Rego and the scenario's PIP users as data.todo_pip.users. */
export function buildTodoBundle(): Promise<string> {
  return buildBundle({
    sources: ["test/fixtures/authzen-todo"],
    entrypoints: ["custos/authzen/evaluation"],
    data: { todo_pip: { users: interopSet("todo-users-pip.json") } },
    revision: "authzen-todo",
  });
}

/** The certification scenario bundle: evaluation and the three searches. */
export function buildCertBundle(): Promise<string> {
  return buildBundle({
    sources: ["test/fixtures/authzen-cert"],
    entrypoints: ["custos/authzen/evaluation", "custos/authzen/search/subject", "custos/authzen/search/resource", "custos/authzen/search/action"],
    revision: "authzen-cert",
  });
}
