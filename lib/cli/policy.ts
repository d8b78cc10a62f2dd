import { type CfnValue, operatorStatements, remediateStatements, resolvePseudoParameters, stackFills } from '../../policies/generate.js';
import { isAccount } from '../events/fields.js';
import { loadMappingFile } from '../mapping/load.js';
import { EXIT, type Io, UsageError } from './context.js';

export interface PolicyOptions {
  mapping: string;
  stage: string;
  account?: string | undefined;
  region?: string | undefined;
}

const first = (fills: Record<string, CfnValue[]>, placeholder: string): CfnValue => {
  const value = fills[placeholder]?.[0];
  if (value === undefined) throw new Error(`stackFills has no ${placeholder}`);
  return value;
};

/** Prints a policy generated from the mapping: as CloudFormation (Fn::Sub) or, given account and region, as plain IAM JSON. */
export function policyCommand(name: string, options: PolicyOptions, io: Io): number {
  if (name !== 'operator' && name !== 'remediate') throw new UsageError(`unknown policy "${name}": choose operator or remediate`);
  if ((options.account === undefined) !== (options.region === undefined))
    throw new UsageError('give both --account and --region for a concrete policy, or neither for CloudFormation form');
  if (options.account !== undefined && !isAccount(options.account)) throw new UsageError(`--account must be 12 digits, got ${options.account}`);
  const mapping = loadMappingFile(options.mapping);
  const stack = stackFills(options.stage);
  const statements =
    name === 'operator'
      ? operatorStatements(mapping, options.stage)
      : remediateStatements(mapping, {
          topicArn: first(stack, '<topic-arn>'),
          // The stage's own key, or the one kmsKeyArn names: any key of the account, as the operator policy allows.
          topicKeyArn: first(stack, '<account-keys>'),
          dlqArn: first(stack, '<dlq-arn>'),
        });
  const document = { Version: '2012-10-17', Statement: statements };
  const output = options.account && options.region ? resolvePseudoParameters(document, { account: options.account, region: options.region }) : document;
  io.out(JSON.stringify(output, null, 2));
  return EXIT.ok;
}
