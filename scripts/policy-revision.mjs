// Prints the bundle revision derived from the policy sources: the first 16 hex digits of a SHA-256 over every file
// under rego/ that goes into the bundle (tests excluded), in path order. The staleness test recomputes it.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Relative paths (POSIX) of the bundle's source files under `dir`, sorted. */
export function policySources(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if ((name.endsWith(".rego") && !name.endsWith("_test.rego")) || name === "data.json") out.push(p);
    }
  };
  walk(dir);
  return out.map((p) => relative(dir, p).split(sep).join("/")).sort();
}

/** The revision of the sources under `dir`. */
export function policyRevision(dir) {
  const h = createHash("sha256");
  for (const rel of policySources(dir)) {
    h.update(rel).update("\0").update(readFileSync(join(dir, rel))).update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? join(fileURLToPath(new URL("..", import.meta.url)), "rego");
  process.stdout.write(policyRevision(dir) + "\n");
}
