// The injection detector's patterns, as data: the gates that decide whether a family runs, and the patterns whose
// matches become signals. Every regex has bounded quantifiers only and no nested or overlapping ones (a test runs
// the `recheck` analyzer over each), so each runs in time linear in its input.
import type { InjectionGateSpec, InjectionPatternSpec } from "./types.js";

/** Filler between a verb and its object: up to N characters of one sentence. */
const within = (n: number): string => `[^.!?\\n]{0,${n}}?`;
/** Not preceded or followed by a Latin letter (ASCII `\b` does not know accented letters). */
const L = "a-zà-öø-ÿß";
const start = `(?<![${L}])`;
const stop = `(?![${L}])`;

/**
 * Gates: one fast search each over the whole text. A family whose gate finds nothing costs nothing more. Their
 * alternatives share few leading characters on purpose, so the regex engine can skip ahead.
 */
export const INJECTION_GATES: readonly InjectionGateSpec[] = [
  {
    id: "latin",
    // Stems of the verbs and nouns every Latin-script family needs (override, persona, leak, restriction).
    regex: "ignor|instru|istruz|anweis|disregard|forget|vergiss|vergeet|vergessen|negeer|oubli|olvid|esque|dimentic|desconsider|descart|omit|caso omiso|tenez|tiens|abstraction|outre|missacht|überg|übersp|trascur|non seguire|non tenere|veronacht|volg niet|no sigas|não siga|nao siga|discard|abandon|neglect|set aside|put aside|follow|obey|overrid|bypass|prompt|pretend|act as|you are now|you're now|from now on|you will now|in character|roleplay|role-play|du bist|ab jetzt|tu so|rolle|tu es|à partir|semblant|joue le|ahora eres|a partir|fing|actúa|você é|ora sei|d'ora|je bent|vanaf nu|doe alsof|restric|limit|filter|guideline|rule|regel|règle|regla|regra|regol|censor|safeguard|guardrail|boundar|constraint|einschränk|beperk|límite|jailbr|anything now|developer|god mode|dan mode|evil confidant|opposite mode|an ai|assistant|language model|llm|chatbot|agent|model|gpt|copilot|your new|your real|your true|your actual|instead|rather|directive|orders|the user|your user|reveal|print|repeat|recite|dump|leak|disclose|zeig|gib|verrate|nenne|wiederhol|montre|affiche|révèle|répète|muestra|revela|repite|mostr|revele|repita|rivela|ripeti|toon|herhaal|onthul|\\bai\\b",
    scope: "folded",
  },
  {
    id: "non-latin",
    regex: "[\\u0400-\\u04ff\\u3040-\\u30ff\\u4e00-\\u9fff]",
    scope: "folded",
  },
  {
    id: "tags",
    regex: "<\\||\\[/?inst\\]|<</?sys>>|#{2,4}|system|admin|developer|\"role\"|tool_|function_|<invoke",
    scope: "folded",
  },
  {
    id: "exfil",
    regex: "\\]\\(|https?://|www\\.|@",
    scope: "folded",
  },
  {
    id: "uppercase-role",
    regex: "SYSTEM|ADMIN|DEVELOPER|DAN",
    scope: "raw",
  },
  {
    id: "style",
    regex: "display|font-size|visibility|opacity|color",
    scope: "folded",
  },
];

const OVERRIDE_OBJECTS_EN =
  "instructions?|prompts?|rules|guidelines|guidance|directives?|guardrails|restrictions|constraints|programming|polic(?:y|ies)|safety (?:rules|guidelines|filters|policies)|filters|system (?:prompt|message)|the user(?:'s)? (?:question|request|query|instructions?|prompt|message|input)";

/** The patterns, in no particular order (a span's score combines them; see `score.ts`). */
export const INJECTION_PATTERNS: readonly InjectionPatternSpec[] = [
  // Instruction override, English.
  {
    id: "override-en",
    signal: "override-phrase",
    weight: 0.85,
    gate: "latin",
    scope: "folded",
    adjust: "override",
    regex: `${start}(?:ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|bypass|bypassing|discard|abandon|neglect|set aside|put aside|do not follow|don't follow|stop following|no longer follow|stop obeying)${stop}${within(48)}${start}(?:${OVERRIDE_OBJECTS_EN})${stop}`,
  },
  {
    id: "override-everything-en",
    signal: "override-phrase",
    weight: 0.8,
    gate: "latin",
    scope: "folded",
    adjust: "override",
    regex: `${start}(?:ignore|disregard|forget)(?: about)? (?:everything|all(?: of)?(?: that| the text| the content)?|what) ?(?:above|before|prior|previously|earlier|you(?:'ve| have) been told|you were told|you know)`,
  },
  // Instruction override in other Latin-script languages: verb, then object (and the object-first German form).
  {
    id: "override-de",
    signal: "override-phrase",
    weight: 0.85,
    gate: "latin",
    scope: "folded",
    adjust: "override",
    regex: `${start}(?:ignorier(?:e|en|t)?|vergiss|vergesst|vergessen sie|missachte(?:n|t)?|übergehe|überspringe)${stop}${within(50)}(?:anweisung(?:en)?|instruktion(?:en)?|befehle|regeln|vorgaben|richtlinien|systemprompt|system-prompt|(?:alles|alle) (?:bisherige|vorherige|obige|davor|zuvor|was))`,
  },
  {
    id: "override-de-object-first",
    signal: "override-phrase",
    weight: 0.8,
    gate: "latin",
    scope: "folded",
    adjust: "override",
    regex: `${start}(?:vorherigen|bisherigen|obigen|vorigen|früheren|alle|sämtliche) (?:anweisungen|instruktionen|regeln|vorgaben|befehle)${within(30)}(?:ignorieren|vergessen|missachten)`,
  },
  {
    id: "override-fr",
    signal: "override-phrase",
    weight: 0.85,
    gate: "latin",
    scope: "folded",
    adjust: "override",
    regex: `${start}(?:ignore[rz]?|oublie[rz]?|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction|passe outre|passez outre)${stop}${within(50)}(?:instructions|consignes|règles|regles|directives|ordres)`,
  },
  {
    id: "override-es",
    signal: "override-phrase",
    weight: 0.85,
    gate: "latin",
    scope: "folded",
    adjust: "override",
    regex: `${start}(?:ignora|ignore|ignoren|olvida|olvide|olviden|haz caso omiso|hagan caso omiso|descarta|omite|no sigas)${stop}${within(50)}(?:instrucciones|indicaciones|reglas|órdenes|directrices)`,
  },
  {
    id: "override-pt",
    signal: "override-phrase",
    weight: 0.85,
    gate: "latin",
    scope: "folded",
    adjust: "override",
    regex: `${start}(?:ignore|ignora|ignorem|esqueça|esqueca|esqueçam|desconsidere|descarte|não siga|nao siga)${stop}${within(50)}(?:instruções|instrucoes|regras|orientações|orientacoes|diretrizes|comandos)`,
  },
  {
    id: "override-it",
    signal: "override-phrase",
    weight: 0.85,
    gate: "latin",
    scope: "folded",
    adjust: "override",
    regex: `${start}(?:ignora|ignori|ignorate|dimentica|dimentichi|dimenticate|trascura|non tenere conto|non seguire)${stop}${within(50)}(?:istruzioni|regole|direttive|indicazioni)`,
  },
  {
    id: "override-nl",
    signal: "override-phrase",
    weight: 0.85,
    gate: "latin",
    scope: "folded",
    adjust: "override",
    regex: `${start}(?:negeer|negeren|vergeet|vergeten|veronachtzaam|volg niet)${stop}${within(50)}(?:instructies|aanwijzingen|regels|opdrachten|systeemprompt)`,
  },
  // Instruction override in Cyrillic and CJK scripts.
  {
    id: "override-ru",
    signal: "override-phrase",
    weight: 0.85,
    gate: "non-latin",
    scope: "folded",
    adjust: "override",
    regex: "(?:игнорируй|проигнорируй|забудь|не обращай внимания на|не обращайте внимания на|отбрось|пренебреги)[^.!?\\n]{0,50}?(?:инструкци|указани|правил|команд|промпт|ограничени)",
  },
  {
    id: "override-zh",
    signal: "override-phrase",
    weight: 0.85,
    gate: "non-latin",
    scope: "folded",
    adjust: "override",
    regex: "(?:忽略|无视|無視|忽视|忽視|忘记|忘記|忘掉|不要理会|不要理會|不要遵守|跳过|跳過)[^。！？\\n]{0,16}?(?:指令|指示|提示词|提示|规则|規則|要求|设定|設定|命令|限制)",
  },
  {
    id: "override-ja",
    signal: "override-phrase",
    weight: 0.85,
    gate: "non-latin",
    scope: "folded",
    adjust: "override",
    regex: "(?:指示|命令|ルール|プロンプト|設定|制約)[^。！？\\n]{0,16}?(?:無視|忘れ)",
  },
  // Prompt leaking: asking for the hidden instructions.
  {
    id: "prompt-leak-en",
    signal: "prompt-leak",
    weight: 0.7,
    gate: "latin",
    scope: "folded",
    adjust: "mention",
    regex: `${start}(?:reveal|print|show|output|repeat|display|leak|dump|disclose|tell me|write out|give me|recite)${stop}${within(30)}(?:system prompt|initial (?:prompt|instructions)|hidden (?:prompt|instructions)|original (?:prompt|instructions)|(?:instructions|prompt|text|words) (?:above|you were given)|developer (?:message|instructions)|your instructions|your (?:full |entire )?prompt)`,
  },
  {
    id: "prompt-leak-latin",
    signal: "prompt-leak",
    weight: 0.6,
    gate: "latin",
    scope: "folded",
    adjust: "mention",
    regex: `${start}(?:zeig|gib|verrate|nenne|wiederhole|montre|affiche|révèle|répète|muestra|revela|repite|mostre|revele|repita|mostra|rivela|ripeti|toon|herhaal|onthul)${within(40)}(?:systemprompt|system-prompt|prompt système|prompt du système|prompt del sistema|prompt do sistema|prompt di sistema|systeemprompt|instructions initiales|instrucciones iniciales|instruções iniciais|istruzioni iniziali)`,
  },
  {
    id: "prompt-leak-non-latin",
    signal: "prompt-leak",
    weight: 0.6,
    gate: "non-latin",
    scope: "folded",
    regex: "(?:покажи|выведи|раскрой|повтори|输出|显示|告诉我|重复|泄露|透露|顯示|告訴我)[^.!?。\\n]{0,30}?(?:системный промпт|системного промпта|системную подсказку|исходные инструкции|系统提示|系統提示|初始指令|系统指令)|(?:システムプロンプト|初期指示)[^。\\n]{0,12}?(?:表示|出力|教えて|見せて)",
  },
  // Role play that sheds the model's rules.
  {
    id: "persona-latin",
    signal: "role-play",
    weight: 0.3,
    gate: "latin",
    scope: "folded",
    regex: `${start}(?:you are now|you're now|from now on,? you|act as|pretend (?:to be|you are|that you)|roleplay as|role-play as|stay in character|you will now (?:act|respond|behave)|du bist jetzt|ab jetzt bist du|tu so, als|spiele die rolle|tu es maintenant|à partir de maintenant|fais semblant|joue le rôle|ahora eres|a partir de ahora|finge ser|actúa como|agora você é|finja ser|a partir de agora|ora sei|d'ora in poi|fingi di essere|je bent nu|vanaf nu|doe alsof)${stop}`,
  },
  {
    id: "persona-non-latin",
    signal: "role-play",
    weight: 0.3,
    gate: "non-latin",
    scope: "folded",
    regex: "(?:теперь ты|ты теперь|с этого момента ты|притворись|представь, что ты|веди себя как|你现在是|你現在是|从现在开始你|從現在開始你|假装你是|假裝你是|扮演|あなたは今から|今からあなたは|これからあなたは|になりきって|のふりをして)",
  },
  {
    id: "jailbreak-mode",
    signal: "role-play",
    weight: 0.6,
    gate: "latin",
    scope: "folded",
    adjust: "mention",
    regex: `${start}(?:do anything now|developer mode (?:enabled|on|activated)|enable developer mode|dan mode|jailbroken|jailbreak mode|god mode|unfiltered mode|evil confidant|opposite mode)${stop}`,
  },
  {
    id: "jailbreak-dan",
    signal: "role-play",
    weight: 0.35,
    gate: "uppercase-role",
    scope: "raw",
    regex: "(?<![A-Za-z])DAN(?![A-Za-z])",
  },
  {
    id: "restriction-removal-latin",
    signal: "restriction-removal",
    weight: 0.35,
    gate: "latin",
    scope: "folded",
    adjust: "mention",
    regex: `${start}(?:no|without|free (?:of|from)|not bound by|unbound by|remove|disable|lift|turn off|ignore|bypass|break free of|ohne|sans|sin|sem|senza|zonder)(?: any| all| your| the| of| jegliche| aucune| ninguna| nenhuma| alcuna| enige)?(?: (?:ethical|moral|content|safety|usual|openai|anthropic))? (?:restrictions|limitations|limits|filters|filtering|guidelines|rules|censorship|safeguards|guardrails|boundaries|constraints|einschränkungen|regeln|filter|restriction|restrictions|règles|filtres|limites|restricciones|reglas|filtros|límites|restrições|regras|restrizioni|regole|filtri|limiti|beperkingen|regels)${stop}`,
  },
  {
    id: "restriction-removal-non-latin",
    signal: "restriction-removal",
    weight: 0.35,
    gate: "non-latin",
    scope: "folded",
    regex: "без (?:каких-либо |всяких |любых )?(?:ограничений|правил|фильтров|цензуры)|(?:没有任何|不受任何|沒有任何|不受)(?:限制|约束|約束|规则|規則|过滤|過濾)|(?:制限|制約|ルール|フィルター)(?:なし|のない|を無視|を解除)",
  },
  // Text addressed to the model rather than to the human reader.
  {
    id: "model-addressed-en",
    signal: "model-addressed",
    weight: 0.4,
    gate: "latin",
    scope: "folded",
    regex: `${start}(?:(?:if|when|while) you(?:'re| are) (?:an? )?(?:ai|llm|large language model|language model|ai assistant|assistant|chatbot|ai agent|agent|gpt|copilot)|(?:note|message|instructions?|attention|hey|dear|hello|important)(?: to| for)?(?: the| all| any)? (?:ai|llm|language model|ai assistant|assistant|chatbot|ai agent|agent|model)s?(?: reading this)?[:,!]|(?:ai|llm|ai assistant|assistant|agent|model)s? (?:reading|processing|summari[sz]ing|parsing|analy[sz]ing) this)`,
  },
  {
    id: "model-addressed-label",
    signal: "model-addressed",
    weight: 0.4,
    gate: "latin",
    scope: "folded",
    regex: "(?:^|\\n)[ \\t#/*>-]{0,6}(?:ai|assistant|ai assistant|agent|ai agent|ai agents|llm|model|chatbot|claude|gpt|chatgpt|copilot|ki|ia|ии|ai助手|ＡＩ|aiへ)[ \\t]{0,2}[:,]",
  },
  {
    id: "new-instructions-en",
    signal: "new-instructions",
    weight: 0.4,
    gate: "latin",
    scope: "folded",
    adjust: "mention",
    regex: `${start}(?:(?:new|updated|real|actual|true|revised|secret|hidden|override) (?:instructions?|system prompt|directives?|orders)\\s{0,2}[:-]|your (?:new|real|true|actual) (?:task|goal|instructions?|objective|purpose|role) (?:is|are|will be)|(?:instead|rather),? you (?:must|should|will|are to))`,
  },
  {
    id: "conceal-from-user",
    signal: "concealment",
    weight: 0.45,
    gate: "latin",
    scope: "folded",
    regex: `${start}(?:do not|don't|never|without) (?:tell|telling|inform|informing|mention|mentioning|alert|alerting|notify|notifying|reveal|revealing|let)(?: this| it| anything)?(?: to| on| know)? (?:the|your) user${stop}`,
  },
  {
    id: "conceal-style",
    signal: "concealment",
    weight: 0.2,
    gate: "style",
    scope: "folded",
    regex: "(?:display\\s{0,2}:\\s{0,2}none|font-size\\s{0,2}:\\s{0,2}0(?:px|pt|em)?\\s{0,2}[;\"'}]|visibility\\s{0,2}:\\s{0,2}hidden|opacity\\s{0,2}:\\s{0,2}0\\s{0,2}[;\"'}]|color\\s{0,2}:\\s{0,2}(?:white|#fff(?:fff)?|transparent))",
  },
  // Spoofed role and system tags, and fake tool calls.
  {
    id: "chat-template-token",
    signal: "role-tag",
    weight: 0.75,
    gate: "tags",
    scope: "folded",
    adjust: "mention",
    regex: "<\\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\\|>",
  },
  {
    id: "llama-tag",
    signal: "role-tag",
    weight: 0.7,
    gate: "tags",
    scope: "folded",
    adjust: "mention",
    regex: "\\[/?inst\\]|<</?sys>>",
  },
  {
    id: "xml-role-tag",
    signal: "role-tag",
    weight: 0.5,
    gate: "tags",
    scope: "folded",
    adjust: "mention",
    regex: "(?<!<)</?(?:system|system_prompt|system-prompt|sys|admin|developer|developer_message|instructions)>",
  },
  {
    id: "heading-system",
    signal: "role-tag",
    weight: 0.5,
    gate: "tags",
    scope: "folded",
    regex: "(?:^|\\n)[ \\t]{0,3}#{2,4}[ \\t]{0,2}(?:system|system prompt|system message|new instructions|admin|developer)(?:[ \\t]{0,2}:|[ \\t]{0,2}\\n)",
  },
  {
    id: "heading-instruction",
    signal: "role-tag",
    weight: 0.25,
    gate: "tags",
    scope: "folded",
    regex: "(?:^|\\n)[ \\t]{0,3}#{3}[ \\t]{0,2}(?:instruction|instructions|response|input)[ \\t]{0,2}:",
  },
  {
    id: "line-role-label",
    signal: "role-tag",
    weight: 0.5,
    gate: "uppercase-role",
    scope: "raw",
    regex: "(?:^|\\n)[ \\t]{0,3}\\[?(?:SYSTEM|ADMIN|DEVELOPER|SYSTEM MESSAGE|SYSTEM PROMPT|SYSTEM OVERRIDE)\\]?[ \\t]{0,2}:",
  },
  {
    id: "system-label",
    signal: "role-tag",
    weight: 0.5,
    gate: "tags",
    scope: "folded",
    regex: `${start}(?:system|admin|developer)(?: message| prompt| note| override| instruction| update| notice)s?[ \\t]{0,2}:`,
  },
  {
    id: "tool-call-json",
    signal: "tool-call-json",
    weight: 0.45,
    gate: "tags",
    scope: "folded",
    regex: "\"(?:tool_calls|function_call|tool_use|tool_call)\"\\s{0,3}:|<(?:tool_call|function_call|function_calls|tool_use|invoke)[\\s>]",
  },
  {
    id: "role-json",
    signal: "role-tag",
    weight: 0.45,
    gate: "tags",
    scope: "folded",
    regex: "\"role\"\\s{0,3}:\\s{0,3}\"(?:system|developer|tool)\"",
  },
  // Exfiltration channels. Markdown URLs are judged in code (see `exfil.ts`); this is the group that finds them.
  {
    id: "markdown-image",
    signal: "exfil-markdown-image",
    weight: 0.65,
    gate: "exfil",
    scope: "raw",
    regex: "!\\[[^\\]\\n]{0,200}\\]\\([ \\t]{0,2}(https?://[^\\s)]{1,2048})",
  },
  {
    id: "markdown-link",
    signal: "exfil-link",
    weight: 0.5,
    gate: "exfil",
    scope: "raw",
    regex: "(?<!!)\\[[^\\]\\n]{0,200}\\]\\([ \\t]{0,2}(https?://[^\\s)]{1,2048})",
  },
  {
    id: "exfil-instruction-en",
    signal: "exfil-instruction",
    weight: 0.3,
    gate: "exfil",
    scope: "folded",
    adjust: "exfil",
    regex: `${start}(?:send|post|forward|upload|transmit|exfiltrate|email|e-mail|mail|leak|submit|append|include|encode|put|add)${stop}[^\\n]{0,100}?${start}(?:to|at|into|in|on)[ \\t]{1,3}(?:https?://|www\\.|[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}\\.)`,
  },
];
