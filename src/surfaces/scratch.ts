import { access, constants, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The folder charts are rendered under: <tmp>/netrca, or <tmp>/netrca-<uid> when another user
 * made the first one (a shared machine), so one user's leftovers never stop another's answer.
 */
export async function scratchBase(): Promise<string> {
  const shared = join(tmpdir(), "netrca");
  try {
    await mkdir(shared, { recursive: true });
    await access(shared, constants.W_OK);
    return shared;
  } catch {
    const own = join(tmpdir(), `netrca-${process.getuid?.() ?? "user"}`);
    await mkdir(own, { recursive: true, mode: 0o700 });
    return own;
  }
}
