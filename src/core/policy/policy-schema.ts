import { z } from 'zod';

/** The `policy:` section of patchwise.yaml. Placeholder until the decision framework lands. */
export const PolicySchema = z.object({}).loose();
export type Policy = z.infer<typeof PolicySchema>;
