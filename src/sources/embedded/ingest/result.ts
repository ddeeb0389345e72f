// What ingest reports, apart from the ingest itself: asking a store needs these, not the reader.

/** What `netrca ingest` reports (DESIGN.md, command line contract). */
export interface IngestResult {
  /** Flows stored. */
  rows: number;
  /** Lines refused (each named in errors, the first MAX_ERRORS of them). */
  rejected: number;
  /** Flows the store already held, or that came twice: not stored again. */
  skipped: number;
  /** The first MAX_ERRORS problems, each naming its file and line (0: the whole file). */
  errors: { file: string; line: number; message: string }[];
  from: string | null;
  to: string | null;
}

/** A file that cannot be read at all: the CLI exits 2 with this message. */
export class InputError extends Error {
  override name = "InputError";
}

export const MAX_ERRORS = 20;

export function emptyResult(): IngestResult {
  return { rows: 0, rejected: 0, skipped: 0, errors: [], from: null, to: null };
}
