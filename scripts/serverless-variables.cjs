// Bridges serverless.yml to the TypeScript that owns the mapping, the event catalogue and the
// policy, so the packaged template is derived from the same code the Lambda runs and the
// mapping cannot drift from the IAM policy. A mapping that fails validation fails the package.
require('tsx/cjs');
const { loadMappingFile } = require('../lib/mapping/load.ts');
const { CATALOGUE } = require('../lib/events/catalogue.ts');
const { remediateStatements } = require('../policies/generate.ts');

const camel = (kebab) => kebab.replace(/-(\w)/g, (_, c) => c.toUpperCase());

module.exports = {
  async statements({ resolveVariable }) {
    const mapping = loadMappingFile(await resolveVariable('param:mappingFile'));
    const securityHub = String(await resolveVariable('param:securityHub')) === 'true';
    const organization = String((await resolveVariable('param:orgId')) ?? '') !== '';
    return remediateStatements(
      mapping,
      {
        topicArn: { Ref: 'ReportTopic' },
        topicKeyArn: { 'Fn::GetAtt': ['ReportTopicKey', 'Arn'] },
        dlqArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
        sweepQueueArn: { 'Fn::GetAtt': ['OrganizationSweepQueue', 'Arn'] },
      },
      { securityHub, organization },
    );
  },
  // The rule patterns, keyed runInstances, stateChange, tagsChanged, profileChangedByOthers.
  async patterns({ resolveVariable }) {
    const roleName = await resolveVariable('self:provider.iam.role.name');
    const selfRoleArn = { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${roleName}` };
    return Object.fromEntries(CATALOGUE.map((entry) => [camel(entry.kind), entry.pattern(selfRoleArn)]));
  },
};
