import { Agent, request } from 'node:http';
import { LOOPBACK } from '../ports.js';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** An answer of kinesis-local: its status and its JSON body (undefined when there is none or it is not JSON). */
export interface KinesisAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** One Kinesis API call made by the proxy itself, straight to kinesis-local on `port`. */
export function callKinesis(port: number, api: string, input: object): Promise<KinesisAnswer> {
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
        answer.on('error', reject);
        answer.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: answer.statusCode ?? 500, body: parsed, text });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
