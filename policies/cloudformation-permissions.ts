/**
 * What the deployer's credentials must allow, as data: for every resource type in the packaged
 * template, the IAM actions CloudFormation's resource handlers call with the caller's credentials
 * (`handlers.create/read/update/delete.permissions` of the type's resource provider schema), and
 * the calls the framework (osls) makes itself. The Deploy* statements of policies/operator.json
 * must grant exactly these (tests/template/deploy-policy.test.ts).
 *
 * A schema lists every action a handler may need for any property of its type. Actions that only
 * properties this template never sets would use are listed under `unused`, each group with the
 * property it belongs to, and are not granted. Read handlers run after create and update to
 * return the resource's model, so their actions are granted too. Delete and read actions are
 * always granted: they touch nothing but the stack's own resources.
 *
 * Sources (resource provider schemas as published in the CloudFormation registry, read from
 * these copies):
 * - hashicorp/terraform-provider-awscc internal/service/cloudformation/schemas/<Type>.json
 *   (AWS_Lambda_Function 0236747f, AWS_Lambda_Permission 03274db0, AWS_Lambda_EventInvokeConfig 6688cec3,
 *   AWS_Events_Rule 2d3c76fe, AWS_SNS_Topic 08048352, AWS_SNS_TopicPolicy 305fddfe, AWS_SQS_Queue 3553a301,
 *   AWS_Logs_LogGroup 2a29727e, AWS_IAM_Role 11330763)
 * - pulumi/pulumi-aws-native aws-cloudformation-schema/<type>.json
 *   (aws-kms-key 2d2b0f94, aws-sqs-queuepolicy 1401e803, aws-s3-bucket 01e4de1a, aws-s3-bucketpolicy 157c65b4,
 *   aws-cloudwatch-alarm 11ac7b39, aws-cloudwatch-dashboard 786d4b3a)
 * - aws-cloudformation/aws-cloudformation-resource-providers-sns aws-sns-subscription/aws-sns-subscription.json (a854ac0c)
 * The framework's calls were recorded from `serverless deploy` (new stack, update, no change) and
 * `serverless remove` with osls 4.3.1; tests/integration/deploy.test.ts records them again and
 * fails on a call this table does not list.
 */

export interface HandlerPermissions {
  readonly create: readonly string[];
  readonly read: readonly string[];
  readonly update: readonly string[];
  readonly delete: readonly string[];
}

export interface ResourceTypePermissions {
  /** Where the handler lists come from. */
  readonly schema: string;
  readonly handlers: HandlerPermissions;
  /** Schema actions for properties this template does not set: not granted. */
  readonly unused?: readonly { readonly actions: readonly string[]; readonly because: string }[];
  /** Actions granted beyond the cited schema revision, each with why. */
  readonly extra?: readonly { readonly actions: readonly string[]; readonly because: string }[];
}

const awscc = (type: string, commit: string) => `hashicorp/terraform-provider-awscc internal/service/cloudformation/schemas/${type}.json@${commit}`;
const pulumi = (type: string, commit: string) => `pulumi/pulumi-aws-native aws-cloudformation-schema/${type}.json@${commit}`;

export const CLOUDFORMATION_PERMISSIONS: Readonly<Record<string, ResourceTypePermissions>> = {
  'AWS::S3::Bucket': {
    schema: pulumi('aws-s3-bucket', '01e4de1a'),
    handlers: {
      create: [
        's3:CreateBucket',
        's3:PutBucketTagging',
        's3:PutAnalyticsConfiguration',
        's3:PutEncryptionConfiguration',
        's3:PutBucketCORS',
        's3:PutInventoryConfiguration',
        's3:PutLifecycleConfiguration',
        's3:PutMetricsConfiguration',
        's3:PutBucketNotification',
        's3:PutBucketReplication',
        's3:PutBucketWebsite',
        's3:PutAccelerateConfiguration',
        's3:PutBucketPublicAccessBlock',
        's3:PutReplicationConfiguration',
        's3:PutObjectAcl',
        's3:PutBucketObjectLockConfiguration',
        's3:GetBucketAcl',
        's3:ListBucket',
        'iam:PassRole',
        's3:DeleteObject',
        's3:PutBucketLogging',
        's3:PutBucketVersioning',
        's3:PutObjectLockConfiguration',
        's3:PutBucketOwnershipControls',
        's3:PutIntelligentTieringConfiguration',
        's3:GetBucketMetadataTableConfiguration',
        's3:CreateBucketMetadataTableConfiguration',
        's3tables:CreateNamespace',
        's3tables:CreateTable',
        's3tables:CreateTableBucket',
        's3tables:GetTable',
        's3tables:PutTableEncryption',
        's3tables:PutTablePolicy',
        's3tables:GetTableMetadataLocation',
        's3tables:UpdateTableMetadataLocation',
      ],
      read: [
        's3:GetAccelerateConfiguration',
        's3:GetLifecycleConfiguration',
        's3:GetBucketPublicAccessBlock',
        's3:GetAnalyticsConfiguration',
        's3:GetBucketCORS',
        's3:GetEncryptionConfiguration',
        's3:GetInventoryConfiguration',
        's3:GetBucketLogging',
        's3:GetMetricsConfiguration',
        's3:GetBucketNotification',
        's3:GetBucketVersioning',
        's3:GetReplicationConfiguration',
        's3:GetBucketWebsite',
        's3:GetBucketObjectLockConfiguration',
        's3:GetBucketTagging',
        's3:GetBucketOwnershipControls',
        's3:GetIntelligentTieringConfiguration',
        's3:GetBucketMetadataTableConfiguration',
        's3:ListBucket',
      ],
      update: [
        's3:PutBucketAcl',
        's3:PutBucketTagging',
        's3:PutAnalyticsConfiguration',
        's3:PutEncryptionConfiguration',
        's3:PutBucketCORS',
        's3:PutInventoryConfiguration',
        's3:PutLifecycleConfiguration',
        's3:PutMetricsConfiguration',
        's3:PutBucketNotification',
        's3:PutBucketReplication',
        's3:PutBucketWebsite',
        's3:PutAccelerateConfiguration',
        's3:GetBucketMetadataTableConfiguration',
        's3:DeleteBucketMetadataTableConfiguration',
        's3:CreateBucketMetadataTableConfiguration',
        's3:UpdateBucketMetadataJournalTableConfiguration',
        's3:UpdateBucketMetadataInventoryTableConfiguration',
        's3tables:CreateNamespace',
        's3tables:CreateTable',
        's3tables:CreateTableBucket',
        's3tables:GetTable',
        's3tables:PutTableEncryption',
        's3tables:PutTablePolicy',
        's3tables:GetTableMetadataLocation',
        's3tables:UpdateTableMetadataLocation',
        's3:PutBucketPublicAccessBlock',
        's3:PutReplicationConfiguration',
        's3:PutBucketOwnershipControls',
        's3:PutIntelligentTieringConfiguration',
        's3:DeleteBucketWebsite',
        's3:PutBucketLogging',
        's3:PutBucketVersioning',
        's3:PutObjectLockConfiguration',
        's3:PutBucketObjectLockConfiguration',
        's3:DeleteBucketAnalyticsConfiguration',
        's3:DeleteBucketCors',
        's3:DeleteBucketMetricsConfiguration',
        's3:DeleteBucketEncryption',
        's3:DeleteBucketLifecycle',
        's3:DeleteBucketReplication',
        'iam:PassRole',
        's3:ListBucket',
      ],
      delete: ['s3:DeleteBucket', 's3:ListBucket'],
    },
    unused: [
      {
        actions: [
          's3:PutAnalyticsConfiguration',
          's3:DeleteBucketAnalyticsConfiguration',
          's3:PutInventoryConfiguration',
          's3:PutMetricsConfiguration',
          's3:DeleteBucketMetricsConfiguration',
          's3:PutIntelligentTieringConfiguration',
          's3:PutLifecycleConfiguration',
          's3:DeleteBucketLifecycle',
        ],
        because: 'the deployment bucket sets no analytics, inventory, metrics, intelligent-tiering or lifecycle configuration',
      },
      {
        actions: ['s3:PutBucketCORS', 's3:DeleteBucketCors', 's3:PutBucketWebsite', 's3:DeleteBucketWebsite', 's3:PutAccelerateConfiguration'],
        because: 'no CORS, website or transfer acceleration',
      },
      { actions: ['s3:PutBucketNotification', 's3:PutBucketLogging'], because: 'no event notifications, no access logging' },
      {
        actions: ['s3:PutBucketReplication', 's3:PutReplicationConfiguration', 's3:DeleteBucketReplication', 'iam:PassRole'],
        because: 'no replication, so no replication role to pass',
      },
      {
        actions: [
          's3:PutBucketVersioning',
          's3:PutObjectLockConfiguration',
          's3:PutBucketObjectLockConfiguration',
          's3:PutObjectAcl',
          's3:PutBucketAcl',
          's3:PutBucketOwnershipControls',
        ],
        because: 'no versioning (provider.deploymentBucket.versioning is off), no object lock, ACLs or ownership controls',
      },
      { actions: ['s3:DeleteBucketEncryption'], because: 'the bucket keeps its SSE-S3 default encryption' },
      {
        actions: [
          's3:CreateBucketMetadataTableConfiguration',
          's3:DeleteBucketMetadataTableConfiguration',
          's3:UpdateBucketMetadataJournalTableConfiguration',
          's3:UpdateBucketMetadataInventoryTableConfiguration',
          's3tables:CreateNamespace',
          's3tables:CreateTable',
          's3tables:CreateTableBucket',
          's3tables:GetTable',
          's3tables:PutTableEncryption',
          's3tables:PutTablePolicy',
          's3tables:GetTableMetadataLocation',
          's3tables:UpdateTableMetadataLocation',
        ],
        because: 'no S3 Metadata tables',
      },
    ],
  },
  'AWS::S3::BucketPolicy': {
    schema: pulumi('aws-s3-bucketpolicy', '157c65b4'),
    handlers: {
      create: ['s3:GetBucketPolicy', 's3:PutBucketPolicy'],
      read: ['s3:GetBucketPolicy'],
      update: ['s3:GetBucketPolicy', 's3:PutBucketPolicy'],
      delete: ['s3:GetBucketPolicy', 's3:DeleteBucketPolicy'],
    },
  },
  'AWS::Logs::LogGroup': {
    schema: awscc('AWS_Logs_LogGroup', '2a29727e'),
    handlers: {
      create: [
        'logs:DescribeLogGroups',
        'logs:CreateLogGroup',
        'logs:PutRetentionPolicy',
        'logs:TagLogGroup',
        'logs:GetDataProtectionPolicy',
        'logs:PutDataProtectionPolicy',
        'logs:CreateLogDelivery',
        's3:REST.PUT.OBJECT',
        'firehose:TagDeliveryStream',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
      ],
      read: ['logs:DescribeLogGroups', 'logs:ListTagsLogGroup', 'logs:GetDataProtectionPolicy'],
      update: [
        'logs:DescribeLogGroups',
        'logs:AssociateKmsKey',
        'logs:DisassociateKmsKey',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:TagLogGroup',
        'logs:UntagLogGroup',
        'logs:GetDataProtectionPolicy',
        'logs:PutDataProtectionPolicy',
        'logs:CreateLogDelivery',
        's3:REST.PUT.OBJECT',
        'firehose:TagDeliveryStream',
      ],
      delete: ['logs:DescribeLogGroups', 'logs:DeleteLogGroup', 'logs:DeleteDataProtectionPolicy'],
    },
    unused: [
      {
        actions: [
          'logs:PutDataProtectionPolicy',
          'logs:CreateLogDelivery',
          's3:REST.PUT.OBJECT',
          'firehose:TagDeliveryStream',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
        ],
        because: 'no DataProtectionPolicy (nor its audit-finding destinations)',
      },
      { actions: ['logs:AssociateKmsKey', 'logs:DisassociateKmsKey'], because: 'no KmsKeyId: logs use the service key' },
    ],
    extra: [
      {
        actions: ['logs:TagResource', 'logs:UntagResource', 'logs:ListTagsForResource'],
        because: 'later revisions of this schema tag log groups through the newer tagging API (stack tags reach the log groups)',
      },
    ],
  },
  'AWS::IAM::Role': {
    schema: awscc('AWS_IAM_Role', '11330763'),
    handlers: {
      create: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:GetRolePolicy', 'iam:TagRole', 'iam:UntagRole'],
      read: ['iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:GetRolePolicy'],
      update: [
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:DetachRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DeleteRolePermissionsBoundary',
        'iam:PutRolePermissionsBoundary',
        'iam:DeleteRolePolicy',
        'iam:PutRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
      ],
      delete: [
        'iam:DeleteRole',
        'iam:DetachRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:GetRole',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
        'iam:TagRole',
        'iam:UntagRole',
      ],
    },
    unused: [
      {
        actions: ['iam:AttachRolePolicy'],
        because: 'the function role has inline policies only (no ManagedPolicyArns): attaching a managed policy would widen it',
      },
      { actions: ['iam:UpdateRoleDescription'], because: 'no Description' },
    ],
  },
  'AWS::Lambda::Function': {
    schema: awscc('AWS_Lambda_Function', '0236747f'),
    handlers: {
      create: [
        'lambda:CreateFunction',
        'lambda:GetFunction',
        'lambda:PutFunctionConcurrency',
        'iam:PassRole',
        's3:GetObject',
        's3:GetObjectVersion',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'elasticfilesystem:DescribeMountTargets',
        'kms:CreateGrant',
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'lambda:GetCodeSigningConfig',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:GetLayerVersion',
        'lambda:GetRuntimeManagementConfig',
        'lambda:PutRuntimeManagementConfig',
        'lambda:TagResource',
        'lambda:PutFunctionRecursionConfig',
        'lambda:GetFunctionRecursionConfig',
      ],
      read: ['lambda:GetFunction', 'lambda:GetFunctionCodeSigningConfig', 'lambda:GetFunctionRecursionConfig', 'lambda:GetRuntimeManagementConfig'],
      update: [
        'lambda:DeleteFunctionConcurrency',
        'lambda:GetFunction',
        'lambda:PutFunctionConcurrency',
        'lambda:TagResource',
        'lambda:UntagResource',
        'lambda:UpdateFunctionConfiguration',
        'lambda:UpdateFunctionCode',
        'iam:PassRole',
        's3:GetObject',
        's3:GetObjectVersion',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'elasticfilesystem:DescribeMountTargets',
        'kms:CreateGrant',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'lambda:GetRuntimeManagementConfig',
        'lambda:PutRuntimeManagementConfig',
        'lambda:PutFunctionCodeSigningConfig',
        'lambda:DeleteFunctionCodeSigningConfig',
        'lambda:GetCodeSigningConfig',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:PutFunctionRecursionConfig',
        'lambda:GetFunctionRecursionConfig',
      ],
      delete: ['lambda:DeleteFunction', 'lambda:GetFunction', 'ec2:DescribeNetworkInterfaces'],
    },
    unused: [
      {
        actions: [
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
          'ec2:DescribeNetworkInterfaces',
          'elasticfilesystem:DescribeMountTargets',
        ],
        // Without ec2:DescribeNetworkInterfaces, CloudFormation does not wait for a function's VPC interfaces: there are none.
        because: 'no VpcConfig or FileSystemConfigs',
      },
      {
        actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        because: 'no KmsKeyArn: the environment is encrypted with the Lambda service key',
      },
      {
        actions: ['lambda:GetCodeSigningConfig', 'lambda:PutFunctionCodeSigningConfig', 'lambda:DeleteFunctionCodeSigningConfig', 'lambda:GetLayerVersion'],
        because: 'no CodeSigningConfigArn, no Layers',
      },
      { actions: ['lambda:PutRuntimeManagementConfig', 'lambda:PutFunctionRecursionConfig'], because: 'no RuntimeManagementConfig, no RecursiveLoop' },
      { actions: ['s3:GetObjectVersion'], because: 'the code is addressed by S3Key alone (no S3ObjectVersion)' },
    ],
  },
  'AWS::Lambda::Permission': {
    schema: awscc('AWS_Lambda_Permission', '03274db0'),
    handlers: { create: ['lambda:AddPermission'], read: ['lambda:GetPolicy'], update: [], delete: ['lambda:RemovePermission'] },
  },
  'AWS::Lambda::EventInvokeConfig': {
    schema: awscc('AWS_Lambda_EventInvokeConfig', '6688cec3'),
    handlers: {
      create: ['lambda:PutFunctionEventInvokeConfig'],
      read: ['lambda:GetFunctionEventInvokeConfig'],
      update: ['lambda:UpdateFunctionEventInvokeConfig'],
      delete: ['lambda:DeleteFunctionEventInvokeConfig'],
    },
  },
  'AWS::Events::Rule': {
    schema: awscc('AWS_Events_Rule', '2d3c76fe'),
    handlers: {
      create: ['iam:PassRole', 'events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
      read: ['iam:PassRole', 'events:DescribeRule', 'events:ListTargetsByRule'],
      update: ['iam:PassRole', 'events:DescribeRule', 'events:PutRule', 'events:RemoveTargets', 'events:PutTargets'],
      delete: ['iam:PassRole', 'events:DescribeRule', 'events:DeleteRule', 'events:RemoveTargets', 'events:ListTargetsByRule'],
    },
    unused: [{ actions: ['iam:PassRole'], because: 'no RoleArn on a rule or target: Lambda targets are invoked through the function`s resource policy' }],
  },
  'AWS::KMS::Key': {
    schema: pulumi('aws-kms-key', '2d2b0f94'),
    handlers: {
      create: ['kms:CreateKey', 'kms:EnableKeyRotation', 'kms:DisableKey', 'kms:TagResource', 'kms:PutKeyPolicy'],
      read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
      update: [
        'kms:DescribeKey',
        'kms:DisableKey',
        'kms:DisableKeyRotation',
        'kms:EnableKey',
        'kms:EnableKeyRotation',
        'kms:PutKeyPolicy',
        'kms:TagResource',
        'kms:UntagResource',
        'kms:UpdateKeyDescription',
        'kms:ListResourceTags',
      ],
      delete: ['kms:DescribeKey', 'kms:ScheduleKeyDeletion'],
    },
    unused: [
      {
        actions: ['kms:DisableKey', 'kms:DisableKeyRotation', 'kms:EnableKey'],
        because: 'the key is never disabled (no Enabled: false) and always rotates (EnableKeyRotation: true)',
      },
    ],
  },
  'AWS::SNS::Topic': {
    schema: awscc('AWS_SNS_Topic', '08048352'),
    handlers: {
      create: ['sns:CreateTopic', 'sns:TagResource', 'sns:Subscribe', 'sns:GetTopicAttributes', 'sns:PutDataProtectionPolicy', 'iam:GetRole', 'iam:PassRole'],
      read: ['sns:GetTopicAttributes', 'sns:ListTagsForResource', 'sns:ListSubscriptionsByTopic', 'sns:GetDataProtectionPolicy'],
      update: [
        'sns:SetTopicAttributes',
        'sns:TagResource',
        'sns:UntagResource',
        'sns:Subscribe',
        'sns:Unsubscribe',
        'sns:GetTopicAttributes',
        'sns:ListTagsForResource',
        'sns:ListSubscriptionsByTopic',
        'sns:GetDataProtectionPolicy',
        'sns:PutDataProtectionPolicy',
        'iam:GetRole',
        'iam:PassRole',
      ],
      delete: ['sns:GetTopicAttributes', 'sns:DeleteTopic'],
    },
    unused: [
      { actions: ['iam:GetRole', 'iam:PassRole'], because: 'no DeliveryStatusLogging, so no feedback roles' },
      { actions: ['sns:PutDataProtectionPolicy'], because: 'no DataProtectionPolicy' },
      { actions: ['sns:Subscribe', 'sns:Unsubscribe'], because: 'no inline Subscription on the topic (the email subscription is its own resource, below)' },
    ],
  },
  'AWS::SNS::TopicPolicy': {
    schema: awscc('AWS_SNS_TopicPolicy', '305fddfe'),
    handlers: { create: ['sns:SetTopicAttributes'], read: [], update: ['sns:SetTopicAttributes'], delete: ['sns:SetTopicAttributes'] },
  },
  'AWS::SNS::Subscription': {
    schema: 'aws-cloudformation/aws-cloudformation-resource-providers-sns aws-sns-subscription/aws-sns-subscription.json@a854ac0c',
    handlers: {
      create: ['sns:Subscribe', 'sns:GetSubscriptionAttributes', 'sns:GetTopicAttributes', 'iam:GetRole', 'iam:PassRole', 'iam:PutRolePolicy'],
      read: ['sns:GetSubscriptionAttributes', 'sns:GetTopicAttributes'],
      update: [
        'sns:SetSubscriptionAttributes',
        'sns:GetSubscriptionAttributes',
        'sns:GetTopicAttributes',
        'iam:GetRole',
        'iam:PassRole',
        'iam:PutRolePolicy',
        'iam:UpdateRole',
      ],
      delete: ['sns:GetSubscriptionAttributes', 'sns:GetTopicAttributes', 'sns:Unsubscribe', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy'],
    },
    unused: [
      {
        actions: ['iam:GetRole', 'iam:PassRole', 'iam:PutRolePolicy', 'iam:UpdateRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy'],
        because: 'an email subscription has no SubscriptionRoleArn (Firehose only)',
      },
      { actions: ['sns:SetSubscriptionAttributes'], because: 'no FilterPolicy, DeliveryPolicy, RawMessageDelivery or RedrivePolicy on the email subscription' },
    ],
  },
  'AWS::SQS::Queue': {
    schema: awscc('AWS_SQS_Queue', '3553a301'),
    handlers: {
      create: ['sqs:CreateQueue', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:ListQueueTags', 'sqs:TagQueue'],
      read: ['sqs:GetQueueAttributes', 'sqs:ListQueueTags'],
      update: ['sqs:SetQueueAttributes', 'sqs:GetQueueAttributes', 'sqs:ListQueueTags', 'sqs:TagQueue', 'sqs:UntagQueue'],
      delete: ['sqs:DeleteQueue', 'sqs:GetQueueAttributes'],
    },
  },
  'AWS::SQS::QueuePolicy': {
    schema: pulumi('aws-sqs-queuepolicy', '1401e803'),
    handlers: { create: ['sqs:SetQueueAttributes'], read: [], update: ['sqs:SetQueueAttributes'], delete: ['sqs:SetQueueAttributes'] },
  },
  'AWS::CloudWatch::Alarm': {
    schema: pulumi('aws-cloudwatch-alarm', '11ac7b39'),
    handlers: {
      create: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:TagResource'],
      read: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
      update: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'],
      delete: ['cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms'],
    },
  },
  // Not in the template today: listed so a dashboard (resources/observability.yml) deploys under the same policy.
  'AWS::CloudWatch::Dashboard': {
    schema: pulumi('aws-cloudwatch-dashboard', '786d4b3a'),
    handlers: {
      create: ['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard'],
      read: ['cloudwatch:GetDashboard'],
      update: ['cloudwatch:PutDashboard'],
      delete: ['cloudwatch:DeleteDashboards', 'cloudwatch:GetDashboard'],
    },
  },
};

/** The actions the deployer is granted for one resource type: the schema's, minus `unused`, plus `extra`. */
export function grantedFor(type: string): string[] {
  const entry = CLOUDFORMATION_PERMISSIONS[type];
  if (!entry) throw new Error(`policies/cloudformation-permissions.ts has no entry for ${type}`);
  const unused = new Set((entry.unused ?? []).flatMap((u) => u.actions));
  const { create, read, update, delete: del } = entry.handlers;
  const fromSchema = [...create, ...read, ...update, ...del].filter((action) => !unused.has(action));
  return [...new Set([...fromSchema, ...(entry.extra ?? []).flatMap((e) => e.actions)])];
}

/**
 * The framework's own calls (osls 4.3.1), as the SDK command and the IAM action it needs.
 * `serverless deploy`: identify the account, find the stack and its bucket, compare the artifacts
 * with what is deployed, upload, create and run a change set (first a stack holding only the
 * bucket, then the full template), and prune artifacts beyond the last five deployments.
 * `serverless remove`: empty the bucket, look for an image repository, delete the stack.
 */
export const FRAMEWORK_CALLS: Readonly<Record<string, string>> = {
  'STS:GetCallerIdentity': 'sts:GetCallerIdentity',
  'CloudFormation:DescribeStacks': 'cloudformation:DescribeStacks',
  'CloudFormation:DescribeStackResource': 'cloudformation:DescribeStackResource',
  'CloudFormation:DescribeStackEvents': 'cloudformation:DescribeStackEvents',
  'CloudFormation:ListStackResources': 'cloudformation:ListStackResources',
  'CloudFormation:ValidateTemplate': 'cloudformation:ValidateTemplate',
  'CloudFormation:CreateChangeSet': 'cloudformation:CreateChangeSet',
  'CloudFormation:DescribeChangeSet': 'cloudformation:DescribeChangeSet',
  'CloudFormation:ExecuteChangeSet': 'cloudformation:ExecuteChangeSet',
  'CloudFormation:DeleteChangeSet': 'cloudformation:DeleteChangeSet',
  'CloudFormation:DeleteStack': 'cloudformation:DeleteStack',
  'S3:HeadBucket': 's3:ListBucket',
  'S3:ListObjectsV2': 's3:ListBucket',
  'S3:HeadObject': 's3:GetObject',
  'S3:PutObject': 's3:PutObject',
  'S3:DeleteObjects': 's3:DeleteObject',
  'Lambda:GetFunction': 'lambda:GetFunction',
  'ECR:DescribeRepositories': 'ecr:DescribeRepositories',
};

/** Every action the deploy and remove need: each template type's handlers and the framework's calls. */
export function deployActions(resourceTypes: readonly string[]): string[] {
  return [...new Set([...resourceTypes.flatMap(grantedFor), ...Object.values(FRAMEWORK_CALLS)])];
}
