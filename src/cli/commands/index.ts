import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import * as versions from './versions.js';
import * as cvss from './cvss.js';
import * as feeds from './feeds.js';
import * as init from './init.js';
import * as hosts from './hosts.js';
import * as scan from './scan.js';
import * as findings from './findings.js';
import * as assess from './assess.js';
import * as plan from './plan.js';
import * as explain from './explain.js';
import * as defer from './defer.js';
import * as windows from './windows.js';
import * as scheduler from './scheduler.js';
import * as run from './run.js';
import * as runs from './runs.js';
import * as audit from './audit.js';
import * as report from './report.js';
import * as notifications from './notifications.js';
import * as serve from './serve.js';
import * as tokens from './tokens.js';

/** Every command, in the order `--help` lists them. Each file registers its own. */
export const COMMANDS: ((program: Command, ctx: CliContext) => void)[] = [
  init.register,
  feeds.register,
  hosts.register,
  scan.register,
  assess.register,
  findings.register,
  plan.register,
  explain.register,
  defer.register,
  windows.register,
  scheduler.register,
  run.register,
  runs.register,
  audit.register,
  report.register,
  notifications.register,
  serve.register,
  tokens.register,
  versions.register,
  cvss.register,
];
