// Makes an operator credential: prints a new random token (give it to the operator) and the entry for
// CUSTOS_ADMIN_TOKENS_FILE (which stores only its SHA-256).
// Usage: npm run admin:token -- <id> [--roles approver,responder,policy_operator,auditor] [--groups g1,g2]
import { createHash, randomBytes } from "node:crypto";

const ROLES = ["approver", "responder", "policy_operator", "auditor"];
const NAME = /^[\w.:@-]{1,128}$/;
const usage = () => {
  process.stderr.write(
    `usage: npm run admin:token -- <id> [--roles ${ROLES.join(",")}] [--groups g1,g2]\n` +
      '  id and groups: 1-128 characters of [A-Za-z0-9_.:@-]; "admin" is reserved for CUSTOS_ADMIN_TOKEN; roles default to auditor\n',
  );
  process.exit(2);
};

const args = process.argv.slice(2);
const id = args.shift();
let roles = ["auditor"];
let groups = [];
while (args.length > 0) {
  const flag = args.shift();
  const value = args.shift();
  if (value === undefined) usage();
  const list = value.split(",").filter(Boolean);
  if (flag === "--roles") roles = list;
  else if (flag === "--groups") groups = list;
  else usage();
}
if (!id || !NAME.test(id) || id === "admin" || id.startsWith("--")) usage();
if (roles.length === 0 || !roles.every((r) => ROLES.includes(r)) || !groups.every((g) => NAME.test(g))) usage();

const token = `cat_${randomBytes(32).toString("base64url")}`;
const entry = { id, token_sha256: createHash("sha256").update(token).digest("hex"), roles: [...new Set(roles)], groups: [...new Set(groups)] };
process.stdout.write(`token (give to the operator, store nowhere else): ${token}\nentry for CUSTOS_ADMIN_TOKENS_FILE operators[]: ${JSON.stringify(entry)}\n`);
