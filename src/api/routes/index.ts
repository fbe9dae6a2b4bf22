import type { RouteModule } from './common.js';
import { deferralRoutes } from './deferrals.js';
import { docsRoutes } from './docs.js';
import { findingRoutes } from './findings.js';
import { hostRoutes } from './hosts.js';
import { operationsRoutes } from './operations.js';
import { planRoutes } from './plan.js';
import { runRoutes } from './runs.js';
import { scanRoutes } from './scans.js';
import { summaryRoutes } from './summary.js';

/**
 * Every route module, in the order the OpenAPI document lists them. To add an area: write
 * `routes/NAME.ts` exporting a {@link RouteModule}, add it here, give each route `config: { access }`
 * (its least role; absent is any valid token) and zod schemas with `...ERROR_RESPONSES`.
 */
export const ROUTES: RouteModule[] = [
  docsRoutes,
  summaryRoutes,
  hostRoutes,
  scanRoutes,
  findingRoutes,
  planRoutes,
  runRoutes,
  deferralRoutes,
  operationsRoutes,
];
