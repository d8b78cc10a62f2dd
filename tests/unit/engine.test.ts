import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DisassociateIamInstanceProfileCommand,
  ModifyInstanceMetadataOptionsCommand,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { Deadline } from '../../lib/deadline.js';
import { createEngine, DEFAULT_ENGINE_OPTIONS, type EngineOptions } from '../../lib/engine.js';
import { silentLog } from '../../lib/log.js';
import { parseMapping } from '../../lib/mapping/load.js';
import { describeInstancesOutput, ec2Error, type FakeInstance, mockEc2, writeCalls } from '../../support/ec2-mock.js';

const mapping = parseMapping(`
version: 1
rules:
  - { name: quarantine, match: { tags: { "security:quarantine": "true" } }, profile: none }
  - { name: hardened, match: { tags: { app: hardened } }, profile: WebProfile, imdsv2: required }
  - { name: metadata-on, match: { tags: { app: needs-metadata } }, profile: WebProfile, imdsv2: required, imdsEndpoint: enabled }
  - { name: web, match: { tags: { app: "web-*" } }, profile: WebProfile }
`);
const web = { app: 'web-1', Name: 'web one' };
const A = 'i-0000000000000000a';
const B = 'i-0000000000000000b';
const C = 'i-0000000000000000c';

/** A deadline whose time left the test controls. */
function fakeDeadline(msLeft: () => number): Deadline {
  return { signal: new AbortController().signal, msLeft: () => Math.max(0, msLeft()), expired: () => msLeft() <= 0 };
}

function setup(fleet: FakeInstance[] | (() => FakeInstance[]), options: Partial<EngineOptions> & { deadline?: Deadline } = {}, map = mapping) {
  const current = typeof fleet === 'function' ? fleet : () => fleet;
  const { client, mock } = mockEc2(current);
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  const engine = createEngine({ ec2: client, sleep, backoff: { attempts: 4, baseDelayMs: 1000, sleep }, log: silentLog, deadline: options.deadline }, map, {
    ...DEFAULT_ENGINE_OPTIONS,
    settleWaitMs: 10_000,
    settlePollMs: 2_500,
    ...options,
  });
  return { engine, mock, sleeps };
}

describe('engine: acting on EC2 as it really behaves', () => {
  it('associates the mapped profile when none is attached', async () => {
    const { engine, mock } = setup([{ id: A, tags: web }]);
    const [result] = await engine.remediateIds([A]);
    expect(mock).toHaveReceivedCommandWith(AssociateIamInstanceProfileCommand, { InstanceId: A, IamInstanceProfile: { Name: 'WebProfile' } });
    expect(result).toMatchObject({ instanceId: A, name: 'web one', action: 'associate', to: 'WebProfile', rule: 'web', outcome: 'changed' });
  });

  it('replaces a wrong profile on a running instance atomically', async () => {
    const { engine, mock } = setup([{ id: A, tags: web, profile: 'AdminProfile' }]);
    const [result] = await engine.remediateIds([A]);
    expect(mock).toHaveReceivedCommandWith(ReplaceIamInstanceProfileAssociationCommand, {
      AssociationId: `iip-assoc-${A.slice(2)}`,
      IamInstanceProfile: { Name: 'WebProfile' },
    });
    expect(mock).not.toHaveReceivedCommand(DisassociateIamInstanceProfileCommand);
    expect(result).toMatchObject({ action: 'replace', from: 'AdminProfile', to: 'WebProfile', outcome: 'changed' });
  });

  it('replaces a wrong profile on a stopped instance by disassociating first', async () => {
    const { engine, mock } = setup([{ id: A, state: 'stopped', tags: web, profile: 'AdminProfile' }]);
    const [result] = await engine.remediateIds([A]);
    expect(mock).not.toHaveReceivedCommand(ReplaceIamInstanceProfileAssociationCommand);
    expect(writeCalls(mock)).toEqual(['DisassociateIamInstanceProfile', 'AssociateIamInstanceProfile']);
    expect(result).toMatchObject({ action: 'detach-attach', outcome: 'changed' });
  });

  it('puts the old profile back when the attach fails after the detach, and says what the instance wears', async () => {
    const { engine, mock } = setup([{ id: A, state: 'stopped', tags: web, profile: 'AdminProfile' }]);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    mock.on(AssociateIamInstanceProfileCommand, { IamInstanceProfile: { Name: 'WebProfile' } }).rejects(reset);
    mock.on(AssociateIamInstanceProfileCommand, { IamInstanceProfile: { Name: 'AdminProfile' } }).resolves({});
    const [result] = await engine.remediateIds([A]);
    expect(writeCalls(mock)).toEqual(['DisassociateIamInstanceProfile', 'AssociateIamInstanceProfile', 'AssociateIamInstanceProfile']);
    expect(result).toMatchObject({ outcome: 'failed', error: { name: 'AttachAfterDetachFailedError', retryable: true } });
    expect(result?.error?.message).toMatch(/AdminProfile was put back, so the instance wears AdminProfile as before; a retry will swap it/);
  });

  it('still retries putting the old profile back when the work deadline is what stopped the attach', async () => {
    // 500 ms left: too little for the attach's backoff (1 s), but the restore has a budget of its own.
    const { engine, mock } = setup([{ id: A, state: 'stopped', tags: web, profile: 'AdminProfile' }], { deadline: fakeDeadline(() => 500) });
    const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    mock.on(AssociateIamInstanceProfileCommand, { IamInstanceProfile: { Name: 'WebProfile' } }).rejects(reset());
    // EC2 still sees the association just removed: a race the attach waits out with its backoff.
    const race = ec2Error('IncorrectState', `There is an existing association for instance ${A}`);
    mock
      .on(AssociateIamInstanceProfileCommand, { IamInstanceProfile: { Name: 'AdminProfile' } })
      .rejectsOnce(race)
      .resolves({});
    const [result] = await engine.remediateIds([A]);
    expect(writeCalls(mock)).toEqual([
      'DisassociateIamInstanceProfile',
      'AssociateIamInstanceProfile',
      'AssociateIamInstanceProfile',
      'AssociateIamInstanceProfile',
    ]);
    expect(result?.error?.message).toMatch(/AdminProfile was put back, so the instance wears AdminProfile as before/);
  });

  it('says so plainly when neither the new profile nor the old one could be attached', async () => {
    const { engine, mock } = setup([{ id: A, state: 'stopped', tags: web, profile: 'AdminProfile' }]);
    mock.on(AssociateIamInstanceProfileCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }));
    const [result] = await engine.remediateIds([A]);
    expect(result).toMatchObject({ outcome: 'failed', error: { name: 'AttachAfterDetachFailedError', retryable: true } });
    expect(result?.error?.message).toMatch(/the instance has NO profile now; a retry or the next sweep attaches WebProfile/);
  });

  it('fails a network fault as retryable, so Lambda retries the event', async () => {
    const { engine, mock } = setup([{ id: A, tags: web }]);
    mock.on(AssociateIamInstanceProfileCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const [result] = await engine.remediateIds([A]);
    expect(result).toMatchObject({ outcome: 'failed', error: { name: 'AwsUnreachableError', retryable: true } });
  });

  it('retries the attach while EC2 still sees the association it just removed', async () => {
    const { engine, mock, sleeps } = setup([{ id: A, state: 'stopped', tags: web, profile: 'AdminProfile' }]);
    mock
      .on(AssociateIamInstanceProfileCommand)
      .rejectsOnce(ec2Error('IncorrectState', `There is an existing association for instance ${A}`))
      .resolves({});
    const [result] = await engine.remediateIds([A]);
    expect(mock).toHaveReceivedCommandTimes(AssociateIamInstanceProfileCommand, 2);
    expect(sleeps).toEqual([1000]);
    expect(result?.outcome).toBe('changed');
  });

  it('removes the profile when the rule says none', async () => {
    const { engine, mock } = setup([{ id: A, tags: { 'security:quarantine': 'true' }, profile: 'WebProfile' }]);
    const [result] = await engine.remediateIds([A]);
    expect(mock).toHaveReceivedCommandWith(DisassociateIamInstanceProfileCommand, { AssociationId: `iip-assoc-${A.slice(2)}` });
    expect(result).toMatchObject({ action: 'disassociate', from: 'WebProfile', to: 'none', outcome: 'changed' });
  });

  it('changes nothing on an instance that already wears the right profile', async () => {
    const { engine, mock } = setup([{ id: A, tags: web, profile: 'WebProfile' }]);
    const [result] = await engine.remediateIds([A]);
    expect(writeCalls(mock)).toEqual([]);
    expect(result).toMatchObject({ action: 'noop', outcome: 'unchanged' });
  });

  it('waits for a pending instance to run, then associates', async () => {
    let reads = 0;
    const { engine, mock, sleeps } = setup(() => [{ id: A, state: reads++ < 1 ? 'pending' : 'running', tags: web }]);
    const [result] = await engine.remediateIds([A]);
    expect(sleeps).toEqual([2500]);
    expect(mock).toHaveReceivedCommandTimes(AssociateIamInstanceProfileCommand, 1);
    expect(result?.outcome).toBe('changed');
  });

  it('reports a still-pending instance as waiting for running after the bounded wait, without calling associate', async () => {
    const { engine, mock, sleeps } = setup([{ id: A, state: 'pending', tags: web }]);
    const [result] = await engine.remediateIds([A]);
    expect(sleeps).toEqual([2500, 2500, 2500, 2500]);
    expect(mock).not.toHaveReceivedCommand(AssociateIamInstanceProfileCommand);
    expect(result).toMatchObject({
      outcome: 'waiting',
      action: 'wait',
      reason: 'still pending after 10s; the running state-change event (or the sweep) finishes it',
    });
    expect(result?.error).toBeUndefined();
  });

  it('fails a still-stopping instance as retryable after the bounded wait', async () => {
    const { engine, mock } = setup([{ id: A, state: 'stopping', tags: web }]);
    const [result] = await engine.remediateIds([A]);
    expect(mock).not.toHaveReceivedCommand(AssociateIamInstanceProfileCommand);
    expect(result).toMatchObject({ outcome: 'failed', error: { name: 'InstanceNotReadyError', retryable: true } });
  });

  it('polls all pending instances with one batched read per poll', async () => {
    let reads = 0;
    const { engine, mock } = setup(() => [A, B, C].map((id) => ({ id, state: reads++ < 3 ? ('pending' as const) : ('running' as const), tags: web })));
    const results = await engine.remediateIds([A, B, C]);
    expect(mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 2);
    expect(results.map((r) => r.outcome)).toEqual(['changed', 'changed', 'changed']);
  });

  it('fails as retryable when EC2 says IncorrectInstanceState', async () => {
    const { engine, mock } = setup([{ id: A, tags: web }]);
    mock.on(AssociateIamInstanceProfileCommand).rejects(ec2Error('IncorrectInstanceState', `The instance '${A}' is not in the 'running' or 'stopped' states.`));
    const [result] = await engine.remediateIds([A]);
    expect(result).toMatchObject({ outcome: 'failed', error: { name: 'InstanceNotReadyError', retryable: true } });
  });

  it('re-reads and decides again when someone associated a profile first', async () => {
    let raced = false;
    const { engine, mock } = setup(() => [{ id: A, tags: web, ...(raced ? { profile: 'WebProfile' } : {}) }]);
    mock.on(AssociateIamInstanceProfileCommand).callsFake(() => {
      raced = true;
      throw ec2Error('IncorrectState', `There is an existing association for instance ${A}`);
    });
    const [result] = await engine.remediateIds([A]);
    expect(mock).toHaveReceivedCommandTimes(AssociateIamInstanceProfileCommand, 1);
    expect(result).toMatchObject({ action: 'noop', outcome: 'unchanged' });
  });

  it('gives up as retryable when the race keeps happening', async () => {
    const { engine, mock } = setup([{ id: A, tags: web }]);
    mock.on(AssociateIamInstanceProfileCommand).rejects(ec2Error('IncorrectState', 'There is an existing association'));
    const [result] = await engine.remediateIds([A]);
    expect(mock).toHaveReceivedCommandTimes(AssociateIamInstanceProfileCommand, 3);
    expect(result).toMatchObject({ outcome: 'failed', error: { name: 'AssociationRaceError', retryable: true } });
  });

  it('retries with backoff while IAM propagates a new profile', async () => {
    const { engine, mock, sleeps } = setup([{ id: A, tags: web }]);
    const invalid = ec2Error('InvalidParameterValue', 'Value (WebProfile) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name');
    mock.on(AssociateIamInstanceProfileCommand).rejectsOnce(invalid).rejectsOnce(invalid).resolves({});
    const [result] = await engine.remediateIds([A]);
    expect(sleeps).toEqual([1000, 2000]);
    expect(result?.outcome).toBe('changed');
  });

  it('fails as retryable when the profile never becomes visible', async () => {
    const { engine, mock, sleeps } = setup([{ id: A, tags: web }]);
    mock.on(AssociateIamInstanceProfileCommand).rejects(ec2Error('InvalidParameterValue', 'Invalid IAM Instance Profile name'));
    const [result] = await engine.remediateIds([A]);
    expect(sleeps).toEqual([1000, 2000, 4000]);
    expect(result).toMatchObject({
      outcome: 'failed',
      error: { name: 'ProfileNotVisibleError', retryable: true, message: expect.stringContaining('WebProfile') },
    });
  });

  it('skips an instance that vanished between read and write', async () => {
    const { engine, mock } = setup([{ id: A, tags: web }]);
    mock.on(AssociateIamInstanceProfileCommand).rejects(ec2Error('InvalidInstanceID.NotFound', `The instance ID '${A}' does not exist`));
    const [result] = await engine.remediateIds([A]);
    expect(result).toMatchObject({ action: 'skip', outcome: 'skipped' });
  });

  it('fails without retry and names iam:PassRole when EC2 refuses for lack of permission', async () => {
    const { engine, mock } = setup([{ id: A, tags: web }]);
    mock
      .on(AssociateIamInstanceProfileCommand)
      .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: abc'));
    const [result] = await engine.remediateIds([A]);
    expect(result?.error).toMatchObject({ name: 'PermissionDeniedError', retryable: false });
    expect(result?.error?.message).toContain('iam:PassRole on the role inside instance profile WebProfile');
  });

  it('fails as retryable when EC2 is still throttling after the SDK retries', async () => {
    const { engine, mock } = setup([{ id: A, tags: web, profile: 'Other' }]);
    mock.on(ReplaceIamInstanceProfileAssociationCommand).rejects(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const [result] = await engine.remediateIds([A]);
    expect(result).toMatchObject({ outcome: 'failed', error: { name: 'ThrottledError', retryable: true } });
  });

  it('handles every instance on its own: one failure does not stop the others', async () => {
    const { engine, mock } = setup([
      { id: A, tags: web },
      { id: B, tags: web },
      { id: C, tags: web },
    ]);
    mock
      .on(AssociateIamInstanceProfileCommand)
      .resolves({})
      .on(AssociateIamInstanceProfileCommand, { InstanceId: B })
      .rejects(ec2Error('UnauthorizedOperation'));
    const results = await engine.remediateIds([A, B, C]);
    expect(results.map((r) => r.outcome)).toEqual(['changed', 'failed', 'changed']);
  });

  it('reports every id as failed, without throwing, when the read itself is refused', async () => {
    const { engine, mock } = setup([]);
    mock.on(DescribeInstancesCommand).rejects(ec2Error('UnauthorizedOperation'));
    const results = await engine.remediateIds([A, B]);
    expect(results).toEqual([
      expect.objectContaining({
        instanceId: A,
        outcome: 'failed',
        error: expect.objectContaining({ name: 'PermissionDeniedError', message: expect.stringContaining('ec2:DescribeInstances') }),
      }),
      expect.objectContaining({ instanceId: B, outcome: 'failed' }),
    ]);
  });

  it('skips ids EC2 does not know, with no write', async () => {
    const { engine, mock } = setup([]);
    const [result] = await engine.remediateIds([A]);
    expect(result).toMatchObject({ outcome: 'skipped', reason: 'instance is not-found' });
    expect(writeCalls(mock)).toEqual([]);
  });

  it('requires IMDSv2 where the rule asks, without touching the endpoint setting', async () => {
    const { engine, mock } = setup([{ id: A, tags: { app: 'hardened' }, profile: 'WebProfile' }]);
    const [result] = await engine.remediateIds([A]);
    const sent = mock.commandCalls(ModifyInstanceMetadataOptionsCommand).map((c) => c.args[0].input);
    expect(sent).toEqual([{ InstanceId: A, HttpTokens: 'required' }]);
    expect(result).toMatchObject({ action: 'noop', imdsv2: true, outcome: 'changed' });
  });

  it('never turns on a metadata endpoint its owner turned off, and says it stays off', async () => {
    const { engine, mock } = setup([{ id: A, tags: { app: 'hardened' }, profile: 'WebProfile', httpEndpoint: 'disabled' }]);
    const [result] = await engine.remediateIds([A]);
    expect(mock.commandCalls(ModifyInstanceMetadataOptionsCommand).map((c) => c.args[0].input)).toEqual([{ InstanceId: A, HttpTokens: 'required' }]);
    expect(result?.reason).toBe('already wears WebProfile; IMDSv2 will be required (the metadata endpoint is off and stays off)');
  });

  it('turns the metadata endpoint on only where the rule says so', async () => {
    const { engine, mock } = setup([{ id: A, tags: { app: 'needs-metadata' }, profile: 'WebProfile', httpTokens: 'required', httpEndpoint: 'disabled' }]);
    const [result] = await engine.remediateIds([A]);
    expect(mock.commandCalls(ModifyInstanceMetadataOptionsCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceId: A, HttpTokens: 'required', HttpEndpoint: 'enabled' },
    ]);
    expect(result?.reason).toMatch(/the metadata endpoint, which was off, turned on$/);
  });

  it('reports drift and changes nothing when onWrongProfile is report', async () => {
    const { engine, mock } = setup([{ id: A, tags: web, profile: 'AdminProfile' }], {}, { ...mapping, onWrongProfile: 'report' });
    const [result] = await engine.remediateIds([A]);
    expect(writeCalls(mock)).toEqual([]);
    expect(result).toMatchObject({ action: 'report-drift', outcome: 'drift' });
  });
});

describe('engine: staying inside the invocation', () => {
  it('backs off for a profile EC2 cannot see only once per invocation', async () => {
    const { engine, mock, sleeps } = setup(
      [
        { id: A, tags: web },
        { id: B, tags: web },
        { id: C, tags: web },
      ],
      { concurrency: 1 },
    );
    mock.on(AssociateIamInstanceProfileCommand).rejects(ec2Error('InvalidParameterValue', 'Invalid IAM Instance Profile name'));
    const results = await engine.remediateIds([A, B, C]);
    expect(sleeps).toEqual([1000, 2000, 4000]);
    expect(mock).toHaveReceivedCommandTimes(AssociateIamInstanceProfileCommand, 4);
    expect(results.map((r) => r.error?.name)).toEqual(['ProfileNotVisibleError', 'ProfileNotVisibleError', 'ProfileNotVisibleError']);
    expect(results.every((r) => r.error?.retryable)).toBe(true);
  });

  it('starts no change once the deadline has passed, and leaves it to the retry', async () => {
    let checks = 0;
    // Time is up right after the read: the decision is known, the write is not started.
    const { engine, mock } = setup(
      [
        { id: A, tags: web },
        { id: B, tags: web, profile: 'WebProfile' },
      ],
      { deadline: fakeDeadline(() => (checks++ < 1 ? 60_000 : -1)) },
    );
    const results = await engine.remediateIds([A, B]);
    expect(writeCalls(mock)).toEqual([]);
    expect(results).toEqual([
      expect.objectContaining({ instanceId: A, outcome: 'failed', error: expect.objectContaining({ name: 'OutOfTimeError', retryable: true }) }),
      expect.objectContaining({ instanceId: B, outcome: 'unchanged' }),
    ]);
  });

  it('reads nothing once the deadline has passed, and names every instance it did not reach', async () => {
    const { engine, mock } = setup(
      [
        { id: A, tags: web },
        { id: B, tags: web },
      ],
      { deadline: fakeDeadline(() => -1) },
    );
    const results = await engine.remediateIds([A, B]);
    expect(mock.calls()).toHaveLength(0);
    expect(results.map((r) => [r.instanceId, r.outcome, r.reason, r.error?.name, r.error?.retryable])).toEqual([
      [A, 'failed', 'not reached before the deadline', 'OutOfTimeError', true],
      [B, 'failed', 'not reached before the deadline', 'OutOfTimeError', true],
    ]);
  });

  it('stops waiting for pending instances when the deadline comes first', async () => {
    let left = 10_000;
    const { engine, sleeps } = setup([{ id: A, state: 'pending', tags: web }], {
      deadline: fakeDeadline(() => {
        left -= 3_000;
        return left;
      }),
    });
    const [result] = await engine.remediateIds([A]);
    expect(sleeps).toEqual([2500]);
    expect(result).toMatchObject({ outcome: 'waiting', reason: expect.stringContaining('running state-change event') });
  });
});

describe('engine: the sweep', () => {
  it('keeps what it did when listing fails part way, and says why', async () => {
    const { engine, mock } = setup([]);
    mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ ...describeInstancesOutput([{ id: A, tags: web }]), NextToken: 'page-2' })
      .rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const { results, incomplete } = await engine.remediateAll();
    expect(results).toEqual([expect.objectContaining({ instanceId: A, outcome: 'changed' })]);
    expect(incomplete).toBe("could not list instances after 1: DescribeInstances: throttled after the SDK's retries (RequestLimitExceeded)");
  });

  it('stops paging when the deadline has passed', async () => {
    const fleet = [{ id: A, tags: web, profile: 'WebProfile' }];
    const { engine, mock } = setup(fleet, { deadline: fakeDeadline(() => -1) });
    mock.on(DescribeInstancesCommand).resolvesOnce({ ...describeInstancesOutput(fleet), NextToken: 'page-2' });
    const { results, incomplete, outOfTime } = await engine.remediateAll();
    expect(mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(results).toEqual([expect.objectContaining({ instanceId: A, outcome: 'unchanged' })]);
    expect(incomplete).toBe('ran out of time after 1 instances; the next sweep covers the rest');
    // Said as a fact, not only in the sentence: the organization worker hands the target on by it.
    expect(outOfTime).toBe(true);
  });
});

describe('engine: safety limits', () => {
  it('dry run decides and reports but writes nothing', async () => {
    const { engine, mock } = setup(
      [
        { id: A, tags: web },
        { id: B, tags: web, profile: 'Other' },
      ],
      { dryRun: true },
    );
    const results = await engine.remediateIds([A, B]);
    expect(writeCalls(mock)).toEqual([]);
    expect(results.map((r) => [r.action, r.outcome])).toEqual([
      ['associate', 'planned'],
      ['replace', 'planned'],
    ]);
  });

  it('defers changes past the blast-radius cap to the retry or the sweep, and says so', async () => {
    const { engine, mock } = setup(
      [
        { id: A, tags: web },
        { id: B, tags: web },
        { id: C, tags: web },
      ],
      { maxChanges: 1, concurrency: 1 },
    );
    const results = await engine.remediateIds([A, B, C]);
    expect(mock).toHaveReceivedCommandTimes(AssociateIamInstanceProfileCommand, 1);
    expect(results.map((r) => r.outcome)).toEqual(['changed', 'deferred', 'deferred']);
    expect(results[1]?.reason).toBe('deferred: the blast-radius cap of 1 changes per invocation was reached; a retry of this event or the next sweep makes it');
  });

  it('gives the budget back when a change fails', async () => {
    const { engine, mock } = setup(
      [
        { id: A, tags: web },
        { id: B, tags: web },
      ],
      { maxChanges: 1, concurrency: 1 },
    );
    mock
      .on(AssociateIamInstanceProfileCommand, { InstanceId: A })
      .rejects(ec2Error('UnauthorizedOperation'))
      .on(AssociateIamInstanceProfileCommand, { InstanceId: B })
      .resolves({});
    const results = await engine.remediateIds([A, B]);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'changed']);
  });

  it('reads in chunks of at most 200 ids per filter', async () => {
    const ids = Array.from({ length: 450 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    const { engine, mock } = setup(() => []);
    const results = await engine.remediateIds(ids);
    expect(results).toHaveLength(450);
    expect(mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 3);
    expect(mock).toHaveReceivedCommandTimes(DescribeIamInstanceProfileAssociationsCommand, 0);
    for (const call of mock.commandCalls(DescribeInstancesCommand)) {
      expect(call.args[0].input.Filters?.[0]?.Values?.length).toBeLessThanOrEqual(200);
    }
  });

  it('reads associations in chunks too, filtering out history', async () => {
    const ids = Array.from({ length: 201 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    const { engine, mock } = setup(() => ids.map((id) => ({ id, tags: web, profile: 'WebProfile' })));
    await engine.remediateIds(ids);
    const calls = mock.commandCalls(DescribeIamInstanceProfileAssociationsCommand);
    expect(calls.map((c) => c.args[0].input.Filters?.[0]?.Values?.length)).toEqual([200, 1]);
    expect(calls[0]?.args[0].input.Filters?.[1]).toEqual({ Name: 'state', Values: ['associating', 'associated', 'disassociating'] });
  });
});
