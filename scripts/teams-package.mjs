#!/usr/bin/env node
// Build the Microsoft Teams app package for netrca's bot: teams/manifest.json with the
// ${VARIABLES} filled in from the environment, plus the two icons, zipped at the root.
//
//   MICROSOFT_APP_ID=<bot app id> node scripts/teams-package.mjs [--out FILE] [--src DIR]
//   node scripts/teams-package.mjs --icons      # re-render teams/*.png from teams/*.svg
//
// Environment:
//   MICROSOFT_APP_ID      required, the Azure Bot's app id (a GUID): the app id and the bot id
//   NETRCA_WEBSITE        developer website (default https://netrca.example.com, replace it)
//   NETRCA_PRIVACY_URL    privacy statement (default $NETRCA_WEBSITE/privacy)
//   NETRCA_TERMS_URL      terms of use (default $NETRCA_WEBSITE/terms)
//   NETRCA_BOT_DOMAIN     host name where `netrca serve` runs, put in validDomains (optional)
//   NETRCA_TEAMS_VERSION  app version, MAJOR.MINOR.PATCH (default: package.json version);
//                         raise it to update an app that is already uploaded
//
// Bad input is one line on stderr and exit code 2. The ZIP is written with node:zlib only.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateRawSync, inflateSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const EXAMPLE_WEBSITE = "https://netrca.example.com";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ICONS = { color: { file: "color.png", size: 192 }, outline: { file: "outline.png", size: 32 } };

class InputError extends Error {}
const fail = (msg) => {
  throw new InputError(msg);
};

function parseArgs(argv) {
  const opts = { out: join(root, "dist", "netrca-teams.zip"), src: join(root, "teams"), icons: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (!v) fail(`${flag} needs a value`);
      return resolve(v);
    };
    if (flag === "--out") opts.out = value();
    else if (flag === "--src") opts.src = value();
    else if (flag === "--icons") opts.icons = true;
    else if (flag === "-h" || flag === "--help") opts.help = true;
    else fail(`unknown argument ${a} (usage: MICROSOFT_APP_ID=<guid> node scripts/teams-package.mjs [--out FILE] [--src DIR] [--icons])`);
  }
  return opts;
}

/** The values that may appear as ${NAME} in the manifest template. */
function variables(env) {
  const appId = (env.MICROSOFT_APP_ID ?? "").trim();
  if (!appId) fail("MICROSOFT_APP_ID is not set: set it to the Azure Bot's Microsoft App ID (a GUID)");
  if (!GUID.test(appId)) fail(`MICROSOFT_APP_ID must be a GUID like 00000000-0000-0000-0000-000000000000, got "${appId}"`);
  const website = (env.NETRCA_WEBSITE || EXAMPLE_WEBSITE).replace(/\/+$/, "");
  let version = env.NETRCA_TEAMS_VERSION;
  if (!version) {
    try {
      version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
    } catch {
      version = "1.0.0";
    }
  }
  return {
    MICROSOFT_APP_ID: appId.toLowerCase(),
    NETRCA_WEBSITE: website,
    NETRCA_PRIVACY_URL: env.NETRCA_PRIVACY_URL || `${website}/privacy`,
    NETRCA_TERMS_URL: env.NETRCA_TERMS_URL || `${website}/terms`,
    NETRCA_TEAMS_VERSION: version,
  };
}

/** Replace ${NAME} in every string of the parsed template (so values never break the JSON). */
function substitute(value, vars) {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name) => {
      if (!(name in vars)) fail(`manifest.json uses \${${name}}, which this script does not know`);
      return vars[name];
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  return value;
}

function botDomain(raw) {
  if (!raw) return undefined;
  const host = raw.trim().replace(/^https?:\/\//i, "").replace(/[/:].*$/, "").toLowerCase();
  if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(host)) {
    fail(`NETRCA_BOT_DOMAIN must be a host name like netrca.contoso.com, got "${raw}"`);
  }
  return host;
}

// ---------- PNG: size from IHDR, and pixels for 8-bit non-interlaced images ----------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngInfo(buf) {
  if (buf.length < 33 || !buf.subarray(0, 8).equals(PNG_SIGNATURE) || buf.toString("latin1", 12, 16) !== "IHDR") return undefined;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), bitDepth: buf[24], colorType: buf[25], interlace: buf[28] };
}

/** RGBA pixels of an 8-bit, non-interlaced grey+alpha (4) or RGBA (6) PNG; undefined otherwise. */
function pngRgba(buf, info) {
  const channels = { 4: 2, 6: 4 }[info.colorType];
  if (!channels || info.bitDepth !== 8 || info.interlace !== 0) return undefined;
  const idat = [];
  for (let p = 8; p + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(p);
    const type = buf.toString("latin1", p + 4, p + 8);
    if (type === "IDAT") idat.push(buf.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = info.width * channels;
  const out = Buffer.alloc(info.width * info.height * 4);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < info.height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels] : 0;
      const b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[x] = (line[x] + add) & 0xff;
    }
    for (let x = 0; x < info.width; x++) {
      const o = (y * info.width + x) * 4;
      if (channels === 4) {
        line.copy(out, o, x * 4, x * 4 + 4);
      } else {
        out.fill(line[x * 2], o, o + 3);
        out[o + 3] = line[x * 2 + 1];
      }
    }
    prev = line;
  }
  return out;
}

function checkIcon(kind, path, buf) {
  const want = ICONS[kind].size;
  const info = pngInfo(buf);
  if (!info) fail(`icon ${path} is not a PNG`);
  if (info.width !== want || info.height !== want) fail(`icon ${path} is ${info.width}x${info.height}, Teams needs ${want}x${want}`);
  const px = pngRgba(buf, info);
  if (kind === "outline") {
    if (info.colorType !== 4 && info.colorType !== 6) fail(`icon ${path} has no alpha channel: the outline icon must be white on transparent`);
    if (px) {
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] > 0 && (px[i] < 235 || px[i + 1] < 235 || px[i + 2] < 235)) fail(`icon ${path} is not white on transparent (pixel ${i / 4} is coloured)`);
      }
    }
  } else if (px) {
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 255) fail(`icon ${path} has transparent pixels: the colour icon must be opaque`);
  }
}

/** Render teams/<kind>.svg to teams/<kind>.png at the exact size Teams wants. */
async function renderIcon(srcDir, kind) {
  const svgPath = join(srcDir, ICONS[kind].file.replace(/\.png$/, ".svg"));
  if (!existsSync(svgPath)) return false;
  let Resvg;
  try {
    ({ Resvg } = await import("@resvg/resvg-js"));
  } catch {
    return false;
  }
  const png = new Resvg(readFileSync(svgPath), { fitTo: { mode: "width", value: ICONS[kind].size }, background: "rgba(0,0,0,0)" }).render().asPng();
  writeFileSync(join(srcDir, ICONS[kind].file), png);
  return true;
}

// ---------- manifest checks ----------

function checkManifest(m, srcDir) {
  const str = (v, name, max, min = 1) => {
    if (typeof v !== "string" || v.length < min) fail(`manifest ${name} is missing`);
    if (v.length > max) fail(`manifest ${name} is ${v.length} characters, at most ${max} allowed`);
    return v;
  };
  const https = (v, name) => {
    str(v, name, 2048);
    let u;
    try {
      u = new URL(v);
    } catch {
      fail(`manifest ${name} is not a URL: ${v}`);
    }
    if (u.protocol !== "https:") fail(`manifest ${name} must be an https:// URL: ${v}`);
  };
  if (typeof m !== "object" || m === null || Array.isArray(m)) fail("manifest.json must hold a JSON object");
  const leftover = JSON.stringify(m).match(/\$\{[^}]*\}/);
  if (leftover) fail(`manifest still holds ${leftover[0]}`);

  const version = str(m.manifestVersion, "manifestVersion", 16);
  if (m.$schema !== `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`) {
    fail(`manifest $schema does not match manifestVersion ${version}`);
  }
  if (!/^\d+\.\d+\.\d+$/.test(str(m.version, "version", 256))) fail(`manifest version must be MAJOR.MINOR.PATCH, got "${m.version}" (NETRCA_TEAMS_VERSION)`);
  if (!GUID.test(str(m.id, "id", 36))) fail(`manifest id must be a GUID, got "${m.id}"`);

  const dev = m.developer ?? fail("manifest developer is missing");
  str(dev.name, "developer.name", 32);
  https(dev.websiteUrl, "developer.websiteUrl");
  https(dev.privacyUrl, "developer.privacyUrl");
  https(dev.termsOfUseUrl, "developer.termsOfUseUrl");

  const name = m.name ?? fail("manifest name is missing");
  str(name.short, "name.short", 30);
  if (name.full !== undefined) str(name.full, "name.full", 100);
  const desc = m.description ?? fail("manifest description is missing");
  str(desc.short, "description.short", 80);
  str(desc.full, "description.full", 4000);
  if (desc.full.includes(desc.short)) fail("manifest description.full must not repeat description.short");
  if (!/^#[0-9a-fA-F]{6}$/.test(str(m.accentColor, "accentColor", 7))) fail(`manifest accentColor must be #RRGGBB, got "${m.accentColor}"`);

  for (const kind of Object.keys(ICONS)) {
    const rel = str(m.icons?.[kind], `icons.${kind}`, 2048);
    if (rel !== ICONS[kind].file) fail(`manifest icons.${kind} must be "${ICONS[kind].file}" (the package holds it at the root)`);
  }

  if (!Array.isArray(m.bots) || m.bots.length !== 1) fail("manifest bots must hold exactly one bot");
  const bot = m.bots[0];
  if (!GUID.test(String(bot.botId))) fail(`manifest bots[0].botId must be a GUID, got "${bot.botId}"`);
  const allowed = ["team", "personal", "groupChat"];
  if (!Array.isArray(bot.scopes) || bot.scopes.length === 0) fail("manifest bots[0].scopes is missing");
  for (const s of bot.scopes) if (!allowed.includes(s)) fail(`manifest bots[0].scopes: "${s}" is not one of ${allowed.join(", ")}`);
  if (new Set(bot.scopes).size !== bot.scopes.length) fail("manifest bots[0].scopes repeats a scope");
  for (const k of ["supportsFiles", "isNotificationOnly"]) if (bot[k] !== undefined && typeof bot[k] !== "boolean") fail(`manifest bots[0].${k} must be true or false`);
  const lists = bot.commandLists ?? [];
  if (!Array.isArray(lists) || lists.length > 3) fail("manifest bots[0].commandLists holds at most 3 lists");
  const seen = new Set();
  lists.forEach((list, i) => {
    const where = `bots[0].commandLists[${i}]`;
    if (!Array.isArray(list.scopes) || list.scopes.length === 0) fail(`manifest ${where}.scopes is missing`);
    for (const s of list.scopes) {
      if (!bot.scopes.includes(s)) fail(`manifest ${where}.scopes: "${s}" is not a scope of the bot`);
      if (seen.has(s)) fail(`manifest ${where}.scopes: "${s}" already has a command list`);
      seen.add(s);
    }
    if (!Array.isArray(list.commands) || list.commands.length === 0) fail(`manifest ${where}.commands is missing`);
    if (list.commands.length > 10) fail(`manifest ${where} has ${list.commands.length} commands, at most 10 allowed`);
    const titles = new Set();
    list.commands.forEach((c, j) => {
      const t = str(c.title, `${where}.commands[${j}].title`, 32);
      if (titles.has(t.toLowerCase())) fail(`manifest ${where} lists "${t}" twice`);
      titles.add(t.toLowerCase());
      str(c.description, `${where}.commands[${j}].description`, 128);
    });
  });
  if (m.permissions !== undefined && !Array.isArray(m.permissions)) fail("manifest permissions must be a list");
  if (!Array.isArray(m.validDomains ?? [])) fail("manifest validDomains must be a list");
  for (const d of m.validDomains ?? []) if (typeof d !== "string" || /[/:]/.test(d)) fail(`manifest validDomains: "${d}" must be a bare host name`);

  const icons = {};
  for (const kind of Object.keys(ICONS)) {
    const path = join(srcDir, ICONS[kind].file);
    if (!existsSync(path)) fail(`missing icon ${displayPath(path)} (render it from ${ICONS[kind].file.replace(/\.png$/, ".svg")} with --icons)`);
    icons[kind] = readFileSync(path);
    checkIcon(kind, displayPath(path), icons[kind]);
  }
  return icons;
}

// ---------- ZIP (PKWARE APPNOTE: local headers, central directory, end record) ----------

// A fixed timestamp (2025-01-01 00:00) so the same inputs give the same bytes.
const DOS_TIME = 0;
const DOS_DATE = ((2025 - 1980) << 9) | (1 << 5) | 1;

function zip(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const fileName = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const deflated = deflateRawSync(data, { level: 9 });
    const method = deflated.length < data.length ? 8 : 0; // PNGs are already compressed: store them
    const body = method === 8 ? deflated : data;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    local.writeUInt16LE(0, 28); // extra field length

    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0, 8);
    dir.writeUInt16LE(method, 10);
    dir.writeUInt16LE(DOS_TIME, 12);
    dir.writeUInt16LE(DOS_DATE, 14);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(body.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(fileName.length, 28);
    dir.writeUInt16LE(0, 30); // extra
    dir.writeUInt16LE(0, 32); // comment
    dir.writeUInt16LE(0, 34); // disk number start
    dir.writeUInt16LE(0, 36); // internal attributes
    dir.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: regular file, rw-r--r--
    dir.writeUInt32LE(offset, 42);

    parts.push(local, fileName, body);
    central.push(dir, fileName);
    offset += local.length + fileName.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk with the central directory
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length
  return Buffer.concat([...parts, cd, end]);
}

function displayPath(p) {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : p;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log("usage: MICROSOFT_APP_ID=<guid> node scripts/teams-package.mjs [--out FILE] [--src DIR]   |   --icons to re-render the PNGs from the SVGs");
    return;
  }
  if (opts.icons) {
    const done = [];
    for (const kind of Object.keys(ICONS)) if (await renderIcon(opts.src, kind)) done.push(displayPath(join(opts.src, ICONS[kind].file)));
    if (done.length === 0) fail(`no SVG sources rendered in ${displayPath(opts.src)} (needs color.svg, outline.svg and @resvg/resvg-js)`);
    console.log(`rendered ${done.join(", ")}`);
    return;
  }

  const vars = variables(process.env);
  const domain = botDomain(process.env.NETRCA_BOT_DOMAIN);
  const templatePath = join(opts.src, "manifest.json");
  if (!existsSync(templatePath)) fail(`missing ${displayPath(templatePath)}`);
  let template;
  try {
    template = JSON.parse(readFileSync(templatePath, "utf8"));
  } catch (e) {
    fail(`${displayPath(templatePath)} is not valid JSON: ${String(e.message).split("\n")[0]}`);
  }
  const manifest = substitute(template, vars);
  if (domain) manifest.validDomains = [domain];

  // Icons are committed; render any missing one from its SVG source.
  for (const kind of Object.keys(ICONS)) {
    if (!existsSync(join(opts.src, ICONS[kind].file))) await renderIcon(opts.src, kind);
  }
  const icons = checkManifest(manifest, opts.src);

  const json = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8");
  const bytes = zip([
    { name: "manifest.json", data: json },
    { name: ICONS.color.file, data: icons.color },
    { name: ICONS.outline.file, data: icons.outline },
  ]);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, bytes);
  const note = vars.NETRCA_WEBSITE === EXAMPLE_WEBSITE ? " (developer URLs are the netrca.example.com placeholders: set NETRCA_WEBSITE to publish)" : "";
  console.log(`wrote ${displayPath(opts.out)}: ${bytes.length} bytes, manifest ${manifest.manifestVersion} v${manifest.version} for bot ${manifest.bots[0].botId}${note}`);
}

main().catch((e) => {
  if (e instanceof InputError) {
    console.error(`teams-package: ${e.message}`);
    process.exit(2);
  }
  console.error(`teams-package: ${e?.stack ?? e}`);
  process.exit(1);
});
