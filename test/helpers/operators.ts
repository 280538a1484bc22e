// Writes an operators file (`CUSTOS_ADMIN_TOKENS_FILE`) for tests: one fresh token per operator, kept only as its
// SHA-256 in the file, and the `authorization` header of each.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One operator to write. */
export interface TestOperator {
  id: string;
  roles: string[];
  groups?: string[];
}

/** The file and, by operator id, the header that authenticates as it. */
export interface OperatorsFile {
  path: string;
  as: Record<string, { authorization: string }>;
}

export function writeOperatorsFile(operators: TestOperator[]): OperatorsFile {
  const as: OperatorsFile["as"] = {};
  const entries = operators.map((o) => {
    const token = `op-${randomBytes(16).toString("hex")}`;
    as[o.id] = { authorization: `Bearer ${token}` };
    return { id: o.id, token_sha256: createHash("sha256").update(token).digest("hex"), roles: o.roles, groups: o.groups ?? [] };
  });
  const path = join(mkdtempSync(join(tmpdir(), "custos-operators-")), "operators.json");
  writeFileSync(path, JSON.stringify({ operators: entries }));
  return { path, as };
}
