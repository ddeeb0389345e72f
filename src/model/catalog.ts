import type { z } from "zod";

/**
 * What the playbook loader needs to know of the analyzers (a later stage): their names and
 * parameter schemas, so a playbook naming an unknown analyzer or a bad parameter fails at
 * start-up with the file and field.
 */
export type AnalyzerCatalog = Record<string, { params: z.ZodType }>;
