import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { loadConfigFile } from "../../src/config/file.js";
import { main } from "../../src/surfaces/cli/main.js";
import { tempDir } from "../support/tmp.js";

const dir = tempDir();
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; err: string[] }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const err: string[] = [];
  try {
    const code = await main(argv, { out: () => {}, err: (s) => err.push(s) });
    return { code, err };
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  }
}

describe("turning explanations on", () => {
  it("NETRCA_EXPLAIN is on or off; anything else names the variable", () => {
    expect(loadConfig({ NETRCA_EXPLAIN: "on" }).explain).toBe(true);
    expect(loadConfig({ NETRCA_EXPLAIN: "off" }).explain).toBe(false);
    expect(loadConfig({}).explain).toBeUndefined();
    expect(() => loadConfig({ NETRCA_EXPLAIN: "sometimes" })).toThrow('NETRCA_EXPLAIN: must be on or off, not "sometimes"');
  });

  it("`explain: on` in the configuration file (YAML's on, true and \"on\" alike); a bad value names the file and field", async () => {
    expect((await loadConfigFile(file("a.yaml", "explain: on\n"))).explain).toBe(true);
    expect((await loadConfigFile(file("b.yaml", "explain: true\n"))).explain).toBe(true);
    expect((await loadConfigFile(file("c.yaml", "explain: off\n"))).explain).toBe(false);
    const bad = file("d.yaml", "explain: sometimes\n");
    await expect(loadConfigFile(bad)).rejects.toThrow(`${bad}: explain: must be on or off`);
  });

  it("serve refuses bad explanation settings before the port opens (exit 2, one line)", async () => {
    const bad = file("e.yaml", "explain: maybe\n");
    expect(await run(["serve", "--config", bad], { PORT: "0" })).toEqual({ code: 2, err: [`netrca: ${bad}: explain: must be on or off`] });
    expect(await run(["serve"], { PORT: "0", NETRCA_EXPLAIN: "always" })).toEqual({ code: 2, err: ['netrca: NETRCA_EXPLAIN: must be on or off, not "always"'] });
    expect(await run(["serve"], { PORT: "0", OPENAI_API_KEY: "sk-x", NETRCA_LLM_TIMEOUT_MS: "soon" })).toEqual({ code: 2, err: ["netrca: NETRCA_LLM_TIMEOUT_MS must be a whole number of milliseconds (100 or more), not soon"] });
    expect(await run(["ask", "dns in shop", "--explain"], { OPENAI_API_KEY: "sk-x", NETRCA_LLM_REDACT: "maybe" })).toEqual({ code: 2, err: ['netrca: NETRCA_LLM_REDACT must be on or off, not "maybe"'] });
  });

  it("serve with a shared state it cannot reach says so in one line (exit 2), the password hidden", async () => {
    const r = await run(["serve"], { PORT: "0", NETRCA_STATE_URL: "postgres://netrca:hunter2@127.0.0.1:1/netrca" });
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^netrca: NETRCA_STATE_URL: cannot open the shared state at postgres:\/\/netrca:\*\*\*@127\.0\.0\.1:1\/netrca: /);
    expect(r.err[0]).not.toContain("hunter2");
    expect(await run(["serve"], { PORT: "0", NETRCA_STATE_URL: "mysql://x" })).toEqual({ code: 2, err: ["netrca: NETRCA_STATE_URL: must be a PostgreSQL URL (postgres://user:password@host:5432/netrca)"] });
  }, 30_000);
});
