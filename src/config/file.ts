import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "./index.js";
import { patternProblem } from "../model/access.js";

/** Where an alert group's summary is posted: a Slack channel id and/or a Teams conversation id. */
const Target = z.object({ slack: z.string().regex(/^[CG][A-Z0-9]{2,}$/, "a Slack channel id (C…)").optional(), teams: z.string().min(1).optional() }).strict();
export type AlertTarget = z.infer<typeof Target>;
const Match = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a label name"), z.string());

export const SEVERITIES = ["info", "warning", "error", "critical"] as const;

const Patterns = z.array(z.string().superRefine((p, ctx) => {
  const problem = patternProblem(p);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}));

/** Which namespaces each channel may ask about (absent: every channel, every namespace). */
const Access = z
  .object({
    /** Channels (and personal chats) not listed; [] = none, ["*"] = all. */
    default: Patterns.default(["*"]),
    slack: z.record(z.string().regex(/^[CGD][A-Z0-9]{2,}$/, "a Slack channel id (C…)"), Patterns).default({}),
    teams: z.record(z.string().min(1), Patterns).default({}),
    /** Personal chats and DMs by user id (Slack U…, Teams 29:…). */
    users: z.record(z.string().min(1), Patterns).default({}),
    /** Namespaces every channel sees at the other end of its own flows: the cluster's DNS servers. */
    shared: Patterns.default(["kube-system"]),
    /** Who to ask for access, as a refusal says it ("#platform-team"). */
    contact: z.string().min(1).max(200).optional(),
  })
  .strict();
export type AccessConfig = z.output<typeof Access>;

/** The configuration file (`--config FILE` or NETRCA_CONFIG), YAML. */
export const ConfigFile = z
  .object({
    /** Every reply in serve carries the model's explanation (NETRCA_EXPLAIN wins when set). */
    access: Access.optional(),
    explain: z.union([z.boolean(), z.enum(["on", "off"]).transform((v) => v === "on")], { error: "must be on or off" }).optional(),
    alerts: z
      .object({
        /** First match wins: label equality on the alert's labels. */
        routes: z.array(Target.extend({ match: Match }).strict()).default([]),
        default: Target.optional(),
        /** Alerts below this severity are recorded, not investigated. */
        minSeverity: z.enum(SEVERITIES).optional(),
        /** Alerts matching any of these are recorded, not investigated. */
        ignore: z.array(z.object({ match: Match }).strict()).default([]),
      })
      .strict()
      .default({ routes: [], ignore: [] }),
  })
  .strict();
export type ConfigFile = z.output<typeof ConfigFile>;

/** Read and check the file: an error names the file and the field path. */
export async function loadConfigFile(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const yaml = (await import("js-yaml")).default;
  let doc: unknown;
  try {
    doc = yaml.load(text) ?? {};
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML (${(e as Error).message.split("\n")[0]})`);
  }
  const r = ConfigFile.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ConfigError(`${file}: ${issue.path.map(String).join(".") || "(top)"}: ${issue.message}`);
  }
  return r.data;
}
