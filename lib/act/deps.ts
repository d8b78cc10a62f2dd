import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Deadline } from '../deadline.js';
import type { Backoff } from '../retry.js';

/** What an action needs to run: the EC2 client, the invocation's deadline, and how to back off while IAM propagates or a race settles. */
export interface ActDeps {
  ec2: EC2Client;
  backoff: Backoff;
  deadline: Deadline;
}
