import { IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type Clients, createClients } from '../../lib/aws/clients.js';
import { loadMappingFile } from '../../lib/mapping/load.js';
import type { Mapping } from '../../lib/mapping/schema.js';
import { type MotoServer, startMoto } from '../../support/moto.js';
import { createNotifications, createProfiles, type Notifications } from '../../support/world.js';

export interface World {
  moto: MotoServer;
  clients: Clients;
  iam: IAMClient;
  mapping: Mapping;
  notifications: Notifications;
}

/**
 * One moto server per test file, reset before every test, with the shipped mapping's profiles
 * (plus a foreign "AdminProfile"), a topic, a raw-delivery subscriber queue and a DLQ.
 * The SDK finds moto through AWS_ENDPOINT_URL, exactly as it finds AWS in production.
 */
export function useWorld(): World {
  const world = {} as World;
  beforeAll(async () => {
    world.moto = await startMoto();
    process.env.AWS_ENDPOINT_URL = world.moto.endpoint;
    world.clients = createClients();
    world.iam = new IAMClient({});
    world.mapping = loadMappingFile('mapping.yaml');
  });
  beforeEach(async () => {
    await world.moto.reset();
    await createProfiles(world.iam, world.mapping, ['AdminProfile']);
    world.notifications = await createNotifications(world.clients.sns, world.clients.sqs);
  });
  afterAll(async () => {
    await world.moto?.stop();
  });
  return world;
}
