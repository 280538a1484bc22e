// The keyword prefilter finds every occurrence a naive case-insensitive search finds, and merges nearby ones.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createKeywordScanner } from "../../../src/inspect/keyword-scanner.js";

function naive(text: string, keyword: string): number[] {
  const lower = text.toLowerCase();
  const at: number[] = [];
  for (let i = lower.indexOf(keyword); i >= 0; i = lower.indexOf(keyword, i + 1)) at.push(i);
  return at;
}

test("reports exactly the keywords a naive search finds, case-insensitively, overlapping ones included", () => {
  const keywords = ["akia", "kia", "ghp_", "@", "0", "pass", "password", "sk-ant-", "sk-", "::"];
  const scanner = createKeywordScanner(keywords);
  let seed = 7;
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const alphabet = "AKIakighp_@0passWORDsk-ant:: xyz";
  for (let round = 0; round < 200; round++) {
    const text = Array.from({ length: 1 + Math.floor(rnd() * 80) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
    const hits = scanner.scan(text);
    keywords.forEach((k, i) => assert.equal(hits.seen[i] === 1, naive(text, k).length > 0, `${k} in ${JSON.stringify(text)}`));
  }
});

test("positions are merged into ranges when occurrences are closer than the gap", () => {
  const scanner = createKeywordScanner(["key", "@"], [10, undefined]);
  const hits = scanner.scan("key key ........................ KEY @");
  assert.deepEqual(hits.ranges[0], [0, 7, 33, 36]);
  assert.equal(hits.ranges[1], undefined, "no positions asked for @");
  assert.equal(hits.seen[1], 1);
});

test("frequent characters switched off during a scan are switched back on for the next", () => {
  const scanner = createKeywordScanner(["1", "x"]);
  assert.deepEqual([...scanner.scan("111").seen], [1, 0]);
  assert.deepEqual([...scanner.scan("a1").seen], [1, 0]);
  assert.deepEqual([...scanner.scan("x").seen], [0, 1]);
});

test("rejects keywords that are empty or not printable ASCII", () => {
  assert.throws(() => createKeywordScanner([""]));
  assert.throws(() => createKeywordScanner(["clé"]));
});

test("keywords sharing a slot report as one: seen once, ranges covering every occurrence of any of them", () => {
  // Slot 0: two prefixes of one rule; slot 1: a keyword of its own.
  const scanner = createKeywordScanner(["mtax", "discord", "bot"], [5, 0], [0, 0, 1]);
  assert.equal(scanner.size, 2);
  const hits = scanner.scan("xx mtax discord .. bot");
  assert.deepEqual([...hits.seen], [1, 1]);
  // "discord" (3..15 after merging with mtax at 3..7) starts after mtax; the range spans both.
  assert.deepEqual(hits.ranges[0], [3, 15]);
  assert.deepEqual(hits.ranges[1], [19, 22]);
  // A longer keyword ending later but starting earlier widens the run it joins.
  const nested = createKeywordScanner(["cord", "discord"], [2], [0, 0]).scan("discord");
  assert.deepEqual(nested.ranges[0], [0, 7]);
});
