// The least-privilege Redis ACL exactly as the README documents it (the `ACL SETUSER custos …` block), so the tests
// that run the stores as that user check the documented list, not a copy of it.
import { readFileSync } from "node:fs";

/** The rules of the README's `ACL SETUSER custos` block after the password (`~custos:*`, `-@all`, `+cmd`, …). */
export function readmeAcl(): string[] {
  const readme = readFileSync("README.md", "utf8");
  const m = /ACL SETUSER custos on >PASSWORD ((?:[^\n]*\\\n)*[^\n]*)/.exec(readme);
  if (!m) throw new Error("README.md has no `ACL SETUSER custos on >PASSWORD …` block");
  return m[1]!.replace(/\\\n/g, " ").split(/\s+/).filter(Boolean);
}
