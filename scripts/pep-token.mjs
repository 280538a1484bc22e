// Makes a PEP credential: prints a new random token (give it to the PEP) and the entry for CUSTOS_PEP_TOKENS_FILE
// (which stores only its SHA-256). Usage: npm run pep:token -- <name>
import { createHash, randomBytes } from "node:crypto";

const name = process.argv[2];
if (!name || !/^[\w.:@-]{1,128}$/.test(name)) {
  process.stderr.write("usage: npm run pep:token -- <name>   (1-128 characters of [A-Za-z0-9_.:@-])\n");
  process.exit(2);
}
const token = `cpt_${randomBytes(32).toString("base64url")}`;
const entry = { name, token_sha256: createHash("sha256").update(token).digest("hex") };
process.stdout.write(`token (give to the PEP, store nowhere else): ${token}\nentry for CUSTOS_PEP_TOKENS_FILE peps[]: ${JSON.stringify(entry)}\n`);
