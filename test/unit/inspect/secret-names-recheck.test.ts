// Every regex that reads tool arguments by their names is linear-time: the value checks are compiled through the
// inspector's gate (a module that loads proves it), and here the recheck analyzer judges each of them, the name
// splitting (Unicode classes the gate does not take, on at most 128 characters) and the walker's naming patterns;
// then each value check runs on hostile values of the largest size it reads.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSync } from "recheck";
import { CONTROL_WORDS, FLAG_NAME, PAIR_HEAD } from "../../../src/decision/content-strings.js";
import { INLINE_NAME_SOURCE } from "../../../src/inspect/inspector.js";
import { looksLikeNamedSecret, MAX_NAMED_VALUE_CHARS, NAME_WORD_REGEXES, NAMED_VALUE_REGEXES, secretNameKind } from "../../../src/inspect/secret-names.js";

const sources: { name: string; source: string; flags: string }[] = [
  ...Object.entries(NAMED_VALUE_REGEXES).map(([k, source]) => ({ name: `value ${k}`, source, flags: "i" })),
  { name: "inline name", source: INLINE_NAME_SOURCE, flags: "" },
  ...Object.entries(NAME_WORD_REGEXES).map(([k, re]) => ({ name: `name words ${k}`, source: re.source, flags: re.flags })),
  ...Object.entries({ FLAG_NAME, PAIR_HEAD, CONTROL_WORDS }).map(([k, re]) => ({ name: `naming ${k}`, source: re.source, flags: re.flags })),
];

test("every regex of the name readings is linear-time by recheck", { timeout: 170_000 }, () => {
  const unsafe: string[] = [];
  for (const { name, source, flags } of sources) {
    const d = checkSync(source, flags, { timeout: 20_000, checker: "automaton" });
    if (d.status !== "safe") unsafe.push(`${name}: ${d.status}${d.status === "vulnerable" ? ` (${d.complexity.type})` : ""}`);
  }
  assert.deepEqual(unsafe, []);
  // The camel-case check as it first was: the analyzer calls it vulnerable (it took 16 s on 60 capitals).
  const old = checkSync(String.raw`^[A-Za-z][a-z]+(?:[A-Z]+[a-z]*){1,8}\d{0,3}$`, "", { timeout: 20_000, checker: "automaton" });
  assert.equal(old.status, "vulnerable");
});

test("the value checks take a few milliseconds on hostile values of the largest size they read", () => {
  const n = MAX_NAMED_VALUE_CHARS;
  const cut = (unit: string): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n - 1);
  const hostile = ["A", "aA", "a.", "a/", "a_", "A_", "example", "1,", " ", "x ", "a=1; ", "${", "Bearer ", "-", "•"].flatMap((u) => [cut(u), `${cut(u)}!`, `aa${cut(u)}`]);
  for (const v of hostile) {
    const t = process.cpuUsage();
    looksLikeNamedSecret("password", v);
    looksLikeNamedSecret("secret", v);
    const used = process.cpuUsage(t);
    const ms = (used.user + used.system) / 1000;
    assert.ok(ms < 50, `${JSON.stringify(v.slice(0, 12))}… : ${ms} ms`);
  }
  for (const name of [`${"A".repeat(5000)}a`, "aA".repeat(5000), "-".repeat(10_000), `${"x".repeat(10_000)}1`]) {
    const t = process.cpuUsage();
    secretNameKind(name);
    const used = process.cpuUsage(t);
    assert.ok((used.user + used.system) / 1000 < 20, `name of ${name.length} characters`);
  }
});
