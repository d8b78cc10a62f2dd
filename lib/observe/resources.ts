import { namesOf } from '../stack-names.js';
import { alarmResources, alarmSpecs, type StackShape } from './alarms.js';
import { dashboardBody } from './dashboard.js';

/**
 * Everything resources/observability.yml adds to the stack, built from one table so the
 * dashboard's alarm widget lists exactly the alarms that exist:
 * - an `alarms` topic: alarm notifications carry no message attributes, so a subscriber with a
 *   filter policy on the report topic never receives them (not even with `"exists": false`, which
 *   needs at least one attribute); it subscribes here instead. Every alarm notifies both topics.
 * - its policy (CloudWatch alarms of this stage only), the alarms, and the dashboard.
 */
export function observabilityResources(shape: StackShape): Record<string, { Type: string; Properties: Record<string, unknown> }> {
  const n = namesOf(shape.stage);
  const specs = alarmSpecs(shape);
  const alarmArnPattern = { 'Fn::Sub': `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${n.prefix}-*` };
  return {
    AlarmTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: n.alarmTopic,
        DisplayName: 'profile-guard alarms',
        KmsMasterKeyId: { 'Fn::If': ['CreateTopicKey', { Ref: 'ReportTopicKey' }, { Ref: 'KmsKeyArn' }] },
      },
    },
    AlarmTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'AlarmTopic' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'StageAlarmsPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: 'AlarmTopic' },
              Condition: { ArnLike: { 'aws:SourceArn': alarmArnPattern }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
      },
    },
    ...alarmResources(shape, specs),
    Dashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        // Dashboards are global to the account: the region in the name keeps two regions' stacks apart.
        DashboardName: { 'Fn::Sub': `${n.prefix}-\${AWS::Region}` },
        DashboardBody: { 'Fn::Sub': JSON.stringify(dashboardBody(shape, specs)) },
      },
    },
  };
}
