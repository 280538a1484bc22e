// What a match's surroundings say about it: a quotation, code, talk about an attack or about a model in the third
// person, the speaker's own earlier words, everyday rules, what an exfiltration sends. These checks read short
// slices around a match, so their cost is bounded per match.
import { urlCarries } from "./exfil.js";
import type { InjectionPatternSpec } from "./types.js";

/** How much text before a match the mention check reads. */
const MENTION_CONTEXT = 60;

/** Words before a match that introduce an example or talk about a model in the third person. */
const MENTION_BEFORE = /(?:such as|like|e\.g\.|for example|for instance|phrases?|strings?|the words|the text|payloads?|called|known as|classic|typical|common|examples?|told to|asked to|tries to|try to|trying to|attempts? to|tricks?|tricked|tricking|detects?|detected|detecting|blocks?|blocked|flags?|flagged|against|prevents?|preventing|attacks?|attackers?|injections?|jailbreaks?|say|says|saying|said|wrote|write|writes|typed|type|contains?|containing|include|includes|including|such|(?:tells?|telling|told|instructs?|instructing|asks?|asking|makes?|making|gets?|getting|convinces?|convincing|forces?|forcing) (?:the |a |an )?(?:model|assistant|llm|ai|agent|chatbot|bot|it|them) (?:to|into))\W{0,24}$/;
/** Opening quotation marks whose closing partner differs. */
const OPENERS: Record<string, string> = { "“": "”", "‘": "’", "«": "»", "„": "“", "「": "」", "『": "』" };

/** True when the match at `[start, end)` is a short quotation: inside quotation marks that close right after it. */
function quoted(subject: string, start: number, end: number): boolean {
  const before = subject.slice(Math.max(0, start - 24), start);
  const after = subject.slice(end, end + 24);
  for (let i = before.length - 1; i >= 0; i--) {
    const c = before[i]!;
    const closer = OPENERS[c];
    if (closer !== undefined) return after.includes(closer);
    if (c === '"' || c === "`" || (c === "'" && i >= before.length - 2)) return after.slice(0, 4).includes(c);
    if (c === "\n") return false;
  }
  return false;
}

/** The speaker's own earlier words, not the model's instructions. */
const POSSESSIVE = /(?<![a-zà-öø-ÿß])(?:my|our|its|their|meine[nrms]?|unsere[nrms]?|mon|ma|mes|notre|nos|mi|mis|nuestr[ao]s?|meu|minha|meus|minhas|nosso|nossa|mio|mia|miei|mie|nostr[aoei]|mijn|onze)(?![a-zà-öø-ÿß])/;
const OWN_AFTER = /^\s{0,2}(?:(?:that |which )?(?:i|we) (?:sent|gave|wrote|shared|mentioned|posted|left|emailed|e-mailed)|(?:in|from) (?:my|our|the|this) (?:last |previous |earlier |first )?(?:e-?mail|mail|message|note|memo|letter|thread|ticket))/;
const SENSITIVE = /(?:conversation|chat|history|system prompt|prompt|instructions|password|credential|api key|api-key|apikey|secret|token|private|ssh|\.env|environment variable|cookie|session|the user'?s|user data|personal data|inbox|contacts|previous messages|all (?:the )?(?:data|files|emails|e-mails|messages|contents|documents)|this (?:conversation|chat|thread|document)|everything|summary of)/;

/** Objects of an override that also name everyday rules; they count only after words that point at the model's. */
const WEAK_OBJECT = /(?:rules|restrictions|constraints|polic(?:y|ies)|filters|guidance)$/;
const QUALIFIERS = new Set(["all", "any", "of", "the", "your", "previous", "prior", "above", "preceding", "earlier", "initial", "original", "system", "these", "those", "safety", "ethical", "moral", "content", "every", "current", "existing", "default", "other", "and", "or", "you", "were", "have", "been", "given", "hidden", "real", "developer", "developer's", "developers'", "built-in", "programmed", "usual", "standard"]);

/** True when every word between the verb and a weak object points at the model's rules ("all your rules"). */
function qualifiedWeakObject(match: string): boolean {
  const words = match.split(/\s+/).slice(1, -1);
  const strong = words.some((w) => w !== "the" && w !== "of" && w !== "and" && w !== "or" && QUALIFIERS.has(w));
  return strong && words.every((w) => QUALIFIERS.has(w));
}

/** Spans of code (inline or fenced, by backticks) or of HTML comments, found once per text. */
export interface Regions {
  inside(offset: number): boolean;
}

/** Regions opened and closed by `mark` (backticks: inline code and fences; `<!--`: comments closed by `-->`). */
export function regions(text: string, mark: "`" | "<!--"): Regions {
  const spans: number[] = [];
  const closeMark = mark === "`" ? "`" : "-->";
  for (let i = text.indexOf(mark); i >= 0 && spans.length < 2048; ) {
    const fence = mark === "`" && text.startsWith("```", i);
    const open = fence ? "```" : mark;
    const close = fence ? "```" : closeMark;
    // Inline code does not cross a line; a fence or a comment runs to its closing mark (or the end of the text).
    let j = text.indexOf(close, i + open.length);
    if (!fence && mark === "`") {
      const nl = text.indexOf("\n", i + 1);
      if (j < 0 || (nl >= 0 && nl < j)) {
        i = text.indexOf(mark, i + 1);
        continue;
      }
    }
    if (j < 0) j = text.length;
    spans.push(i, j + close.length);
    i = text.indexOf(mark, j + close.length);
  }
  return {
    inside(offset) {
      let lo = 0;
      let hi = spans.length / 2;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (spans[mid * 2 + 1]! <= offset) lo = mid + 1;
        else hi = mid;
      }
      return lo < spans.length / 2 && spans[lo * 2]! <= offset;
    },
  };
}

/** Weight of one match of `p` at `[start, end)` of `subject` after reading its surroundings (`group`: its group 1). */
export function adjustWeight(p: InjectionPatternSpec, subject: string, start: number, end: number, group: string, code: Regions): number {
  const text = subject.slice(start, end);
  let w = p.weight;
  if (p.id === "markdown-image" || p.id === "markdown-link") {
    const carries = urlCarries(group);
    if (carries === "none") return 0;
    if (p.id === "markdown-link") return carries === "placeholder" ? w : 0;
    return carries === "placeholder" ? w : 0.45;
  }
  if (p.adjust === "exfil") w = SENSITIVE.test(text) ? 0.65 : w;
  if (p.id === "override-en" && WEAK_OBJECT.test(text) && !qualifiedWeakObject(text)) w *= 0.2;
  if (p.adjust === "override" && (POSSESSIVE.test(text) || OWN_AFTER.test(subject.slice(end, end + 48)))) w *= 0.3;
  if (p.adjust !== undefined && (quoted(subject, start, end) || MENTION_BEFORE.test(subject.slice(Math.max(0, start - MENTION_CONTEXT), start)) || code.inside(start))) w *= 0.35;
  return w;
}

