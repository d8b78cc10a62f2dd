// The unit project runs its files in one module cache per worker (`isolate: false` in
// vitest.config.ts: importing the SDK, zod and Powertools once per worker instead of once per
// file cuts the project from about 27 s to 10 s). Files still must not see each other's changes,
// so when a file ends it gets back the environment it started with, and the class-level SDK
// mocks it made (`mockClient(EC2Client)` stubs the prototype's send) are undone: a later file
// that sends for real (the fault proxy's) would otherwise get a stub's undefined.
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll } from 'vitest';

const CLIENT_CLASSES = [EC2Client, OrganizationsClient, SecurityHubClient, SNSClient, SQSClient, STSClient];
const started = { ...process.env };

afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in started)) delete process.env[name];
  Object.assign(process.env, started);
  for (const Client of CLIENT_CLASSES) {
    // A sinon stub carries restore(); the SDK's own send does not.
    const send = Client.prototype.send as { restore?: () => void };
    if (Object.hasOwn(Client.prototype, 'send') && typeof send.restore === 'function') send.restore();
  }
});
