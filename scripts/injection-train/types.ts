// Shape of one language's phrase banks for the training-corpus generator (see gen-injection-train.ts).

/** Phrase parts of one language; attacks are composed from them, benign texts drawn from `benign` and `hard`. */
export interface LangBank {
  lang: string;
  /** Words that turn to the model: "Note to the AI assistant:", "If you are an AI model …". */
  openers: string[];
  /** Claims of authority: "SYSTEM NOTICE", "admin override", "new policy from the developer". */
  authority: string[];
  /** Displacing the instruction hierarchy: "ignore the previous instructions". */
  override: string[];
  /** Imperative tool or action requests (lowercase start, no final period). */
  actions: string[];
  /** Keeping it from the user. */
  secrecy: string[];
  /** Role or persona switches that shed the rules. */
  persona: string[];
  /** Output manipulation. */
  output: string[];
  /** Asking for the hidden prompt. */
  leak: string[];
  /** Whole direct jailbreaks (optional; otherwise composed). */
  direct?: string[];
  /** Ordinary text. */
  benign: string[];
  /** Benign text that resembles an attack: "ignore my last e-mail", docs about injection, everyday instructions. */
  hard: string[];
  /** Benign openers, requests between people and closings, composed like attacks are (optional). */
  benignOpeners?: string[];
  benignActions?: string[];
  benignClosers?: string[];
}
