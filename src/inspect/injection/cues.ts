// Cues: words that make a stretch of text worth the second stage's attention, grouped by what they say. A stretch is
// scored when it carries cues of two groups (a word for the model and an action, say), or any first-stage signal.
// They are ASCII (the shared keyword scan reads ASCII); text in other scripts is judged by its script (see `windows.ts`).

/** Groups of cues: what a stretch of text turns to, claims, displaces, asks for or hides. */
export const CUE_GROUPS = {
  /** Words for the model. */
  addressee: ["assistant", "agent", " ai ", " ai,", " ai:", "ai-", "a.i.", "llm", "language model", "chatbot", " bot", "gpt", "claude", "gemini", "copilot", "model", "modelo", "modele", "modell", "asystent", "asistan", "asisten", "yapay zeka", " ki ", " ki,", "ki-", " ia ", " ia,", "ia:", "sztuczn", "tro ly", "you are", "you must", "your task", "you should", "you will"],
  /** The instruction hierarchy and its authorities. */
  hierarchy: ["instruction", "instruc", "instruk", "istruz", "anweisung", "consigne", "talimat", "pokyn", "polecen", "prompt", "rules", "regel", "regl", "regras", "regole", "kural", "guideline", "guidance", "polic", "previous", "prior ", "above", "earlier", "original", "system", "admin", "developer", "operator", "override", "ignor", "disregard", "forget", "vergiss", "oubli", "olvid", "esque", "dimentic", "zapomn", "unut", "negeer", "abaikan", "new task", "priority", "supersede", "authori", "approved", "mandatory", "maintenance mode", "jailbr", "developer mode", "no restrictions", "unfiltered", "uncensored", "pretend", "role-play", "roleplay", "in character", "from now on"],
  /** Actions and channels. */
  action: ["forward", "send", "e-mail", "email", "mail ", "upload", "delete", "remove all", "transfer", "wire ", "approve", "merge", "execute", "run ", "curl", "wget", "call the", "fetch", "open http", "http", "www.", "@", "password", "credential", "token", "api key", "secret", ".env", "ssh", "ssh key", "conversation", "history", "repository", "payout", "invoice", "grant", "owner", "admin access", "respond only", "reply only", "answer only", "must include", "your answer", "your reply", "your response", "your summary", "in your summary", "link", "recommend", "print", "repeat", "reveal", "output", "verbatim"],
  /** Keeping it from the user. */
  secrecy: ["do not tell", "don't tell", "do not mention", "don't mention", "never reveal", "never mention", "without telling", "without asking", "silently", "hidden from", "must not know", "not inform", "no confirmation", "don't ask", "do not ask", "keep this", "the user"],
} as const;

/** Group of each cue, by its index in `CUES`. */
export const CUES: readonly { keyword: string; group: number }[] = Object.values(CUE_GROUPS).flatMap((words, group) => words.map((keyword) => ({ keyword, group })));
