import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { listAccountsUnder } from '../../lib/aws/accounts.js';
import { translateEc2Error } from '../../lib/aws/ec2.js';
import { translateAwsError } from '../../lib/aws/errors.js';
import { PermissionDeniedError } from '../../lib/errors.js';
import { ec2Error } from '../../support/ec2-mock.js';

const context = { operation: 'AssociateIamInstanceProfile', instanceId: 'i-0123456789abcdef0', profile: 'WebProfile' };
const named = (error: unknown) => {
  const translated = translateEc2Error(error, context);
  return [translated.name, translated.retryable];
};

describe('AWS error translation', () => {
  // What Node and the SDK throw when the network fails after the SDK's own retries.
  it.each([
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['socket hang up', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' })],
    [
      'a request timeout',
      Object.assign(new Error('a request has exceeded the configured 15000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
    ],
    ['a DNS failure', Object.assign(new Error('getaddrinfo EAI_AGAIN ec2.us-east-1.amazonaws.com'), { code: 'EAI_AGAIN' })],
  ])('makes %s a retryable AwsUnreachableError', (_what, error) => {
    expect(named(error)).toEqual(['AwsUnreachableError', true]);
  });

  it('makes a call cut off at the deadline a retryable OutOfTimeError', () => {
    expect(named(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))).toEqual(['OutOfTimeError', true]);
  });

  it('keeps a 5xx retryable and a 4xx it does not know not retryable', () => {
    expect(named(ec2Error('InternalError', 'We encountered an internal error', 500))).toEqual(['UnexpectedAwsError', true]);
    expect(named(ec2Error('InvalidParameterCombination', 'nope', 400))).toEqual(['UnexpectedAwsError', false]);
  });

  it('names the EC2 errors it handles', () => {
    expect(named(ec2Error('IncorrectInstanceState'))).toEqual(['InstanceNotReadyError', true]);
    expect(named(ec2Error('IncorrectState'))).toEqual(['AssociationRaceError', true]);
    expect(named(ec2Error('InvalidInstanceID.NotFound'))).toEqual(['InstanceGoneError', false]);
    expect(named(ec2Error('InvalidParameterValue', 'Value (X) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name'))).toEqual([
      'ProfileNotVisibleError',
      true,
    ]);
    expect(named(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503))).toEqual(['ThrottledError', true]);
    expect(named(ec2Error('UnauthorizedOperation'))).toEqual(['PermissionDeniedError', false]);
  });

  it('names the missing permission for an attach', () => {
    expect(translateEc2Error(ec2Error('UnauthorizedOperation'), context).message).toContain('iam:PassRole on the role inside instance profile WebProfile');
  });

  it('translates any service the same way for the faults they share', () => {
    const error = new EC2ServiceException({ name: 'AuthorizationError', message: 'not allowed', $fault: 'client', $metadata: { httpStatusCode: 403 } });
    expect(translateAwsError(error, { operation: 'sns:Publish' })).toMatchObject({ name: 'PermissionDeniedError', retryable: false });
    expect(translateAwsError('a string thrown', { operation: 'sns:Publish' })).toMatchObject({ name: 'UnexpectedAwsError', retryable: false });
  });
});

describe('Organizations errors name the call that failed', () => {
  const organizations = mockClient(OrganizationsClient);

  // Regression: one catch around both listings named every failure ListAccountsForParent.
  it('a denied ListOrganizationalUnitsForParent is named as that call, not ListAccountsForParent', async () => {
    organizations.reset();
    organizations.on(ListAccountsForParentCommand).resolves({ Accounts: [] });
    organizations
      .on(ListOrganizationalUnitsForParentCommand)
      .rejects(Object.assign(new Error('You are not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const listing = listAccountsUnder(new OrganizationsClient({}), ['ou-ab12-cdef3456']);
    await expect(listing).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(listing).rejects.toThrow(/organizations:ListOrganizationalUnitsForParent/);
    await expect(listing).rejects.not.toThrow(/ListAccountsForParent/);
  });
});
