// Bridges serverless.yml to the TypeScript that owns the mapping, the event catalogue and the
// policy, so the packaged template is derived from the same code the Lambda runs and the
// mapping cannot drift from the IAM policy. A mapping that fails validation fails the package,
// and so does a stage parameter or a name AWS would refuse (scripts/stack-params.ts).
require('tsx/cjs');
const { loadMappingFile } = require('../lib/mapping/load.ts');
const { CATALOGUE } = require('../lib/events/catalogue.ts');
const { remediateStatements } = require('../policies/generate.ts');
const { checkNames, optionalSettings, stackTags } = require('./stack-params.ts');

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
        // The stack's own key, or the one the kmsKeyArn parameter names.
        topicKeyArn: { 'Fn::If': ['CreateTopicKey', { 'Fn::GetAtt': ['ReportTopicKey', 'Arn'] }, { Ref: 'KmsKeyArn' }] },
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
  // Settings serverless.yml leaves out when their parameter is '' (`${…:optional.x, null}`).
  async optional({ resolveVariable }) {
    const param = (name) => resolveVariable(`param:${name}`);
    return optionalSettings({
      reservedConcurrency: await param('reservedConcurrency'),
      sweepConcurrency: await param('sweepConcurrency'),
      permissionsBoundary: await param('permissionsBoundary'),
      kmsKeyArn: await param('kmsKeyArn'),
      memorySize: await param('memorySize'),
      region: await resolveVariable('aws:region'),
    });
  },
  async stackTags({ resolveVariable }) {
    return stackTags(await resolveVariable('param:stackTags'), await resolveVariable('sls:stage'));
  },
  // Resolved into custom.namesChecked: fails the package when a name is past its AWS limit.
  async checkNames({ resolveVariable }) {
    return checkNames({
      service: await resolveVariable('self:service'),
      stage: await resolveVariable('sls:stage'),
      region: await resolveVariable('aws:region'),
      roleName: await resolveVariable('self:provider.iam.role.name'),
      functions: await resolveVariable('self:functions'),
      resources: await resolveVariable('self:resources'),
    });
  },
};
