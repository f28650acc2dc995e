import { Agent, request } from 'node:http';
import { LOOPBACK } from '../ports.js';
import type { ShardRange } from './shardForKey.js';

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** The open shards of a stream, asked of kinesis-local directly (ListShards, every page). */
export async function listOpenShards(port: number, stream: string): Promise<ShardRange[]> {
  const shards: ShardRange[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await call(port, 'ListShards', nextToken ? { NextToken: nextToken } : { StreamName: stream })) as {
      Shards?: Array<{
        ShardId: string;
        HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
        SequenceNumberRange?: { EndingSequenceNumber?: string };
      }>;
      NextToken?: string;
    };
    for (const shard of page.Shards ?? []) {
      if (shard.SequenceNumberRange?.EndingSequenceNumber) continue;
      shards.push({
        shardId: shard.ShardId,
        startingHashKey: BigInt(shard.HashKeyRange.StartingHashKey),
        endingHashKey: BigInt(shard.HashKeyRange.EndingHashKey),
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return shards;
}

function call(port: number, api: string, input: object): Promise<unknown> {
  const body = Buffer.from(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: LOOPBACK,
        port,
        method: 'POST',
        path: '/',
        agent,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `Kinesis_20131202.${api}`,
          'content-length': String(body.length),
          // kinesis-local accepts any signature; it needs the headers to be there (and reads the region from them).
          'x-amz-date': new Date()
            .toISOString()
            .replace(/[-:]/g, '')
            .replace(/\.\d{3}/, ''),
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((answer.statusCode ?? 500) >= 400)
            reject(new Error(`ListShards ${answer.statusCode}: ${text.slice(0, 200)}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
