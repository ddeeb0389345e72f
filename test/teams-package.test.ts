import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { crc32, inflateRawSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const script = join(root, "scripts", "teams-package.mjs");
const APP_ID = "6d0f3c2a-9b1e-4f7a-8c55-2e4b9a1d0c37";
const tmp = mkdtempSync(join(tmpdir(), "netrca-teams-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The environment without anything the script reads, plus `extra`. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "MICROSOFT_APP_ID" && !k.startsWith("NETRCA_")));
  return { ...base, ...extra };
}

function run(args: string[], extra: Record<string, string>) {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, env: env(extra), encoding: "utf8", timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Entry {
  name: string;
  data: Buffer;
}

/** A small ZIP reader: end record → central directory → local headers, CRC checked. */
function readZip(buf: Buffer): Entry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("no end of central directory record");
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  expect(cdOffset + cdSize).toBe(eocd);
  const entries: Entry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;

    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    expect(buf.readUInt16LE(local + 8)).toBe(method);
    expect(buf.readUInt32LE(local + 14)).toBe(crc);
    expect(buf.toString("utf8", local + 30, local + 30 + buf.readUInt16LE(local + 26))).toBe(name);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const body = buf.subarray(start, start + compressed);
    expect([0, 8]).toContain(method);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(data.length, `${name} size`).toBe(size);
    expect(crc32(data) >>> 0, `${name} crc`).toBe(crc);
    entries.push({ name, data });
  }
  expect(p).toBe(eocd);
  return entries;
}

function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  expect(png.toString("latin1", 12, 16)).toBe("IHDR");
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  version: string;
  bots: { botId: string; scopes: string[]; commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[] }[];
  icons: { color: string; outline: string };
}

describe("scripts/teams-package.mjs", () => {
  it("writes a Teams app package with the bot id, the 1.19 manifest and both icons", () => {
    const out = join(tmp, "pkg", "netrca-teams.zip");
    const r = run(["--out", out], { MICROSOFT_APP_ID: APP_ID });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(out);
    const zip = readFileSync(out);
    expect(lines[0]).toContain(`${zip.length} bytes`);

    const entries = readZip(zip);
    expect(entries.map((e) => e.name)).toEqual(["manifest.json", "color.png", "outline.png"]);
    const file = (name: string) => entries.find((e) => e.name === name)!.data;

    const m = JSON.parse(file("manifest.json").toString("utf8")) as Manifest;
    expect(m.manifestVersion).toBe("1.19");
    expect(m.$schema).toBe("https://developer.microsoft.com/json-schemas/teams/v1.19/MicrosoftTeams.schema.json");
    expect(m.id).toBe(APP_ID);
    expect(m.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(JSON.stringify(m)).not.toContain("${");
    expect(m.icons).toEqual({ color: "color.png", outline: "outline.png" });
    expect(m.bots).toHaveLength(1);
    const bot = m.bots[0]!;
    expect(bot.botId).toBe(APP_ID);
    expect([...bot.scopes].sort()).toEqual(["groupChat", "personal", "team"]);
    expect(bot.commandLists.length).toBeLessThanOrEqual(3);
    expect(bot.commandLists.flatMap((l) => l.scopes).sort()).toEqual(["groupChat", "personal", "team"]);
    for (const list of bot.commandLists) {
      expect(list.commands.length).toBeGreaterThan(0);
      expect(list.commands.length).toBeLessThanOrEqual(10);
      for (const c of list.commands) {
        expect(c.title.length).toBeLessThanOrEqual(32);
        expect(c.description.length).toBeGreaterThan(0);
        expect(c.description.length).toBeLessThanOrEqual(128);
      }
      expect(list.commands.map((c) => c.title)).toEqual(expect.arrayContaining(["help", "dns", "drops", "traffic", "health", "l7"]));
    }

    expect(pngSize(file("color.png"))).toEqual([192, 192]);
    expect(pngSize(file("outline.png"))).toEqual([32, 32]);
  });

  it("refuses without MICROSOFT_APP_ID, in one line naming it", () => {
    const out = join(tmp, "none.zip");
    const r = run(["--out", out], {});
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("MICROSOFT_APP_ID");
    expect(existsSync(out)).toBe(false);
  });

  it("refuses an app id that is not a GUID", () => {
    const out = join(tmp, "bad.zip");
    const r = run(["--out", out], { MICROSOFT_APP_ID: "netrca-bot" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/MICROSOFT_APP_ID.*GUID/);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses when an icon is missing", () => {
    const src = mkdtempSync(join(tmp, "src-"));
    copyFileSync(join(root, "teams", "manifest.json"), join(src, "manifest.json"));
    copyFileSync(join(root, "teams", "color.png"), join(src, "color.png"));
    const r = run(["--src", src, "--out", join(tmp, "noicon.zip")], { MICROSOFT_APP_ID: APP_ID });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("outline.png");
  });
});
