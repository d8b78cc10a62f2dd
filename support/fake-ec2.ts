/**
 * A tiny EC2 Query-API endpoint on loopback for the burst benchmark: just enough of
 * DescribeInstances, DescribeIamInstanceProfileAssociations and AssociateIamInstanceProfile,
 * behind EC2-like token buckets, so the real SDK (adaptive retry) meets RequestLimitExceeded.
 */
import { createServer, type Server } from 'node:http';

export interface TokenBucket {
  capacity: number;
  refillPerSecond: number;
}

export interface FakeEc2Stats {
  requests: number;
  throttled: number;
  associations: number;
}

class Bucket {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly spec: TokenBucket) {
    this.tokens = spec.capacity;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.spec.capacity, this.tokens + ((now - this.last) / 1000) * this.spec.refillPerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export async function startFakeEc2(instanceIds: readonly string[], buckets: { mutating: TokenBucket; describe: TokenBucket }) {
  const profiles = new Map<string, string>();
  const stats: FakeEc2Stats = { requests: 0, throttled: 0, associations: 0 };
  const mutating = new Bucket(buckets.mutating);
  const describe = new Bucket(buckets.describe);
  const known = new Set(instanceIds);

  const filterValues = (params: URLSearchParams, name: string): string[] => {
    for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
      if (params.get(`Filter.${i}.Name`) !== name) continue;
      const values: string[] = [];
      for (let j = 1; params.has(`Filter.${i}.Value.${j}`); j++) values.push(params.get(`Filter.${i}.Value.${j}`) as string);
      return values;
    }
    return [];
  };
  const association = (id: string) =>
    `<associationId>iip-assoc-${id.slice(2)}</associationId><instanceId>${id}</instanceId><iamInstanceProfile><arn>arn:aws:iam::123456789012:instance-profile/${profiles.get(id)}</arn><id>AIPA</id></iamInstanceProfile><state>associated</state>`;

  const respond = (action: string, params: URLSearchParams): [number, string] => {
    if (!(action.startsWith('Describe') ? describe : mutating).take()) {
      stats.throttled++;
      return [
        503,
        '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>t</RequestID></Response>',
      ];
    }
    switch (action) {
      case 'DescribeInstances': {
        const ids = filterValues(params, 'instance-id').filter((id) => known.has(id));
        const items = ids
          .map(
            (id, n) =>
              `<item><instanceId>${id}</instanceId><instanceState><code>16</code><name>running</name></instanceState><tagSet><item><key>app</key><value>web-${n}</value></item></tagSet><metadataOptions><httpTokens>optional</httpTokens></metadataOptions></item>`,
          )
          .join('');
        return [
          200,
          `<DescribeInstancesResponse xmlns="${XMLNS}"><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId><instancesSet>${items}</instancesSet></item></reservationSet></DescribeInstancesResponse>`,
        ];
      }
      case 'DescribeIamInstanceProfileAssociations': {
        const items = filterValues(params, 'instance-id')
          .filter((id) => profiles.has(id))
          .map((id) => `<item>${association(id)}</item>`)
          .join('');
        return [
          200,
          `<DescribeIamInstanceProfileAssociationsResponse xmlns="${XMLNS}"><requestId>r</requestId><iamInstanceProfileAssociationSet>${items}</iamInstanceProfileAssociationSet></DescribeIamInstanceProfileAssociationsResponse>`,
        ];
      }
      case 'AssociateIamInstanceProfile': {
        const id = params.get('InstanceId') as string;
        if (profiles.has(id))
          return [
            400,
            `<Response><Errors><Error><Code>IncorrectState</Code><Message>There is an existing association for instance ${id}</Message></Error></Errors><RequestID>r</RequestID></Response>`,
          ];
        profiles.set(id, params.get('IamInstanceProfile.Name') as string);
        stats.associations++;
        return [
          200,
          `<AssociateIamInstanceProfileResponse xmlns="${XMLNS}"><requestId>r</requestId><iamInstanceProfileAssociation>${association(id)}</iamInstanceProfileAssociation></AssociateIamInstanceProfileResponse>`,
        ];
      }
      default:
        return [
          400,
          `<Response><Errors><Error><Code>InvalidAction</Code><Message>${action} is not faked</Message></Error></Errors><RequestID>r</RequestID></Response>`,
        ];
    }
  };

  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      stats.requests++;
      const params = new URLSearchParams(body);
      const [status, xml] = respond(params.get('Action') ?? '', params);
      response.writeHead(status, { 'content-type': 'text/xml' });
      response.end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    profiles,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
