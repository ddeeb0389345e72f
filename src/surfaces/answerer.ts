import type { Question, Report } from "../model/index.js";

/** What a chat surface needs from netrca: the understand/investigate entry points and the help text. */
export interface Answerer {
  understand(text: string, previous?: Question): Promise<Question>;
  investigate(q: Question): Promise<Report>;
  help: string;
}
