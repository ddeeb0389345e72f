import { z } from "zod";
import type { Analyzer } from "./types.js";

/** A check that only shows its table (top talkers, top queries): no judgement, no findings. */
export const evidenceOnly: Analyzer<z.ZodObject<{}>> = {
  name: "evidenceOnly",
  params: z.object({}).strict(),
  usesBaseline: false,
  run: () => [],
};
