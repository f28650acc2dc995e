import { Agent, request } from 'node:http';
import { LOOPBACK } from '../ports.js';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** An answer of kinesis-local: its status and its JSON body (undefined when there is none or it is not JSON). */
export interface KinesisAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** One Kinesis API call made by the proxy itself, straight to kinesis-local on `port`, its answer parsed. */
export async function callKinesis(port: number, api: string, input: object): Promise<KinesisAnswer> {
  const { status, text } = await postKinesis(port, api, Buffer.from(JSON.stringify(input)));
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status, body: parsed, text };
}

/** The same call with a body already in JSON, its answer as text. */
export function postKinesis(port: number, api: string, body: Buffer): Promise<{ status: number; text: string }> {
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
          resolve({ status: answer.statusCode ?? 500, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
