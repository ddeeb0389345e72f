import type { Question, Report } from "../model/index.js";

/** What a chat surface needs from netrca: the understand/investigate entry points and the help text. */
export interface Answerer {
  understand(text: string, previous?: Question): Promise<Question>;
  investigate(q: Question): Promise<Report>;
  /** How many questions a new one would wait behind (investigations run a few at a time). */
  waiting?(): number;
  /** The reply is posted: the report's chart files can go. */
  release?(r: Report): Promise<void>;
  help: string;
}
