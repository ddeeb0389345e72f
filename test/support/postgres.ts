/**
 * A real PostgreSQL (Debian's postgresql package) in a temporary folder on 127.0.0.1: initdb,
 * pg_ctl start, and stop after the test. As root (CI) the server runs as the postgres user,
 * which initdb requires. `.ci/run` installs the package.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./prometheus.js";

const BIN = (() => {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const v = readdirSync(base).filter((d) => existsSync(join(base, d, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(base, v, "bin") : null;
})();
export const HAVE_POSTGRES = BIN !== null;

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<RunningPostgres> {
  if (!BIN) throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  const dir = mkdtempSync(join(tmpdir(), "netrca-pg-"));
  chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const pgUser = asRoot ? spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }) : null;
  if (asRoot) {
    const uid = Number(pgUser!.stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const r = asRoot ? spawnSync("runuser", ["-u", "postgres", "--", join(BIN!, cmd), ...args], { encoding: "utf8" }) : spawnSync(join(BIN!, cmd), args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${(r.stderr || r.stdout).slice(-800)}`);
  };
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-U", "netrca", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-w", "-t", "30", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  return {
    url: `postgres://netrca@127.0.0.1:${port}/postgres`,
    stop: async () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
