import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CredentialSource } from '../aws/credentials.js';
import { MappingInvalidError, ProfileGuardError } from '../errors.js';
import { applyTargetsCommand, commaList, planTargetsCommand, type TargetOptions, wantsTargets } from '../org/cli.js';
import { type ApplyOptions, applyCommand } from './apply.js';
import { EXIT, type Io, UsageError } from './context.js';
import { type PlanOptions, planCommand } from './plan.js';
import { policyCommand } from './policy.js';
import { type RedriveOptions, redriveCommand } from './redrive.js';
import { validateCommand } from './validate.js';

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};

const EXIT_CODES = `
Exit codes:
  0  nothing to do, or everything done
  1  something failed (or was declined, or kept in the queue)
  2  bad usage or an invalid mapping`;

/** Parses argv and runs one command; returns the exit code instead of exiting, so tests can drive it (and inject where member credentials come from). */
export async function run(argv: readonly string[], io: Io, seams: { credentialSource?: CredentialSource } = {}): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('profile-guard')
    .description('Keeps EC2 instances wearing the IAM instance profile the mapping says. Uses your AWS credentials, region and AWS_ENDPOINT_URL.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .addHelpText('after', EXIT_CODES)
    .showHelpAfterError();

  // Like the AWS CLI: the environment gives the defaults, the options override them.
  const defaultMapping = process.env.MAPPING_FILE || 'mapping.yaml';
  const mappingOption = () => new Option('--mapping <file>', 'the mapping file (default: $MAPPING_FILE, else mapping.yaml)').default(defaultMapping);
  program
    .option('--profile <name>', 'AWS profile from ~/.aws/config and ~/.aws/credentials (default: $AWS_PROFILE)')
    .option('--region <region>', 'AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, then the region of the profile)');
  // Across an organization: each account through its member role (yours for your own account), each region on its own.
  const withTargets = (command: Command) =>
    command
      .addOption(
        new Option('--account <ids>', 'these accounts, comma-separated (through the member role; your own account with your credentials)').argParser(commaList),
      )
      .addOption(new Option('--regions <regions>', 'these regions, comma-separated (one table, or JSON block, per account and region)').argParser(commaList))
      .addOption(new Option('--role <name>', 'the member role name in each account (default: profile-guard-member)'));
  const run = { source: seams.credentialSource };

  program
    .command('validate')
    .description('check a mapping file: schema, unreachable rules, profiles spelled two ways')
    .argument('[mapping]', 'the mapping file (default: $MAPPING_FILE, else mapping.yaml)', defaultMapping)
    .action((file: string) => {
      code = validateCommand(file, io);
    });

  withTargets(program.command('plan'))
    .description('show what profile-guard would do to every instance (or the named ones); changes nothing')
    .option('--instance <ids...>', 'only these instance ids')
    .option('--json', 'print the machine-readable report')
    .addOption(mappingOption())
    .action(async (_options, command: Command) => {
      const options = { ...command.optsWithGlobals<PlanOptions & TargetOptions>(), dryRun: true };
      code = wantsTargets(options) ? await planTargetsCommand(options, io, run) : await planCommand(options, io);
    });

  withTargets(program.command('apply'))
    .description('plan, confirm, then make the changes; prints the report the SNS topic would get')
    .option('--instance <ids...>', 'only these instance ids')
    .option('--yes', 'do not ask for confirmation')
    .option('--max-changes <n>', 'blast-radius cap for this run', positive, 50)
    .addOption(mappingOption())
    .action(async (_options, command: Command) => {
      const options = { ...command.optsWithGlobals<ApplyOptions & TargetOptions>(), dryRun: false };
      code = wantsTargets(options) ? await applyTargetsCommand(options, io, run) : await applyCommand(options, io);
    });

  program
    .command('redrive')
    .description(
      "replay the dead-letter queue, only what provably comes from this stack: its functions' failures, its rules' undelivered events, its unpublished reports",
    )
    .option('--queue-url <url>', "the stack's DLQ, profile-guard-<stage>-dlq: it names the stack (default: $DLQ_URL)", process.env.DLQ_URL)
    .option('--stage <stage>', "the stack's stage; refused unless the queue is profile-guard-<stage>-dlq (default: from the queue name)")
    .option(
      '--topic-arn <arn>',
      "the only topic unpublished reports are republished to (default: $TOPIC_ARN, else the stack's profile-guard-<stage>-reports)",
      process.env.TOPIC_ARN,
    )
    .option('--max <n>', 'at most this many messages', positive, 100)
    .option('--dry-run', 'show what would be handled or set aside, and why; change, publish and delete nothing')
    .addOption(mappingOption())
    .action(async (_options, command: Command) => {
      const options = command.optsWithGlobals<Omit<RedriveOptions, 'dryRun'> & { dryRun?: boolean }>();
      code = await redriveCommand({ ...options, dryRun: options.dryRun === true }, io);
    });

  program
    .command('policy')
    .description('print an IAM policy generated from the mapping: operator (CLI and deploy) or remediate (the function role)')
    .argument('<name>', 'operator | remediate')
    .option('--stage <stage>', 'the stage the stack is deployed as', 'dev')
    .option('--account <id>', 'resolve ARNs for this account (with --region); default: CloudFormation Fn::Sub form')
    .addOption(mappingOption())
    .action((name: string, _options, command: Command) => {
      code = policyCommand(name, command.optsWithGlobals(), io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError || error instanceof MappingInvalidError) {
      io.err(`profile-guard: ${error.message}`);
      return EXIT.usage;
    }
    io.err(`profile-guard: ${error instanceof ProfileGuardError || error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return EXIT.failed;
  }
}

export async function main(): Promise<number> {
  const io: Io = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    isInteractive: Boolean(process.stdin.isTTY),
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
  return run(process.argv.slice(2), io);
}
