import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `../shared` beside the repository: the question sets and real captures every developer has. */
export const SHARED = fileURLToPath(new URL("../../../shared/", import.meta.url));

/**
 * A file under ../shared, or null when the folder is absent (a bare clone, some CI): tests
 * that read it skip, and say why, rather than fail or pass silently.
 */
export function sharedFile(rel: string): string | null {
  const path = SHARED + rel;
  if (existsSync(path)) return path;
  console.warn(`skipped: ${path} is absent (tests that read ../shared run only where it sits beside the repository)`);
  return null;
}
