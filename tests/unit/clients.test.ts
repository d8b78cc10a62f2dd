import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createClients } from '../../lib/aws/clients.js';

/** createClients with an instrument hook that records every client it is handed (as Powertools' tracer would wrap it). */
function counted() {
  const built: unknown[] = [];
  const clients = createClients({
    region: 'eu-west-1',
    instrument: <T>(client: T) => {
      built.push(client);
      return client;
    },
  });
  return { clients, built };
}

describe('createClients: each client built on first use', () => {
  it('builds no client until one is used', () => {
    const { built } = counted();
    expect(built).toEqual([]);
  });

  it('builds only the client that is used, once, and keeps it', () => {
    const { clients, built } = counted();
    const ec2 = clients.ec2;
    expect(ec2).toBeInstanceOf(EC2Client);
    expect(clients.ec2).toBe(ec2);
    expect(built).toEqual([ec2]);
  });

  it('builds SNS and SQS only when a report is published or sent to the DLQ', () => {
    const { clients, built } = counted();
    expect(clients.sns).toBeInstanceOf(SNSClient);
    expect(built).toHaveLength(1);
    expect(clients.sqs).toBeInstanceOf(SQSClient);
    expect(built).toEqual([clients.sns, clients.sqs]);
  });

  it('gives every client the shared settings and the options', async () => {
    const { clients } = counted();
    for (const client of [clients.ec2, clients.sns, clients.sqs]) {
      expect(await client.config.region()).toBe('eu-west-1');
      expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    }
    expect(await clients.ec2.config.maxAttempts()).toBe(6);
    expect(await clients.sqs.config.maxAttempts()).toBe(4);
  });

  it('still lists all three to code that walks the clients (Object.entries builds them)', () => {
    const { clients, built } = counted();
    const entries = Object.entries(clients);
    expect(entries.map(([name]) => name)).toEqual(['ec2', 'sns', 'sqs']);
    expect(entries.map(([, client]) => client)).toEqual(built);
  });
});
