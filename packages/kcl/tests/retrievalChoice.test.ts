import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { kinesisClientFrom } from '../src/clientOptions.js';
import { InvalidConfigError } from '../src/errors.js';
import { FanOutStreamPort } from '../src/FanOutStreamPort.js';
import { createWorker, KinesisStreamPort, type WorkerOptions } from '../src/index.js';
import { schedulerConfig } from '../src/SchedulerConfig.js';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:1:stream/clicks';
const names = { applicationName: 'ClickCounter', streamName: 'clicks', workerId: 'w-1' };
const processorFactory = () => {
  throw new Error('never called: the worker is not run');
};

/** A Kinesis that registers any consumer, ACTIVE at once, and records the names it was asked to register. */
function registeringKinesis() {
  const registered: unknown[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    switch (command.constructor.name) {
      case 'DescribeStreamSummaryCommand':
        return { StreamDescriptionSummary: { StreamARN: STREAM_ARN } };
      case 'RegisterStreamConsumerCommand':
        registered.push(command.input.ConsumerName);
        return { Consumer: { ConsumerARN: `${STREAM_ARN}/consumer/${String(command.input.ConsumerName)}:1` } };
      case 'DescribeStreamConsumerCommand':
        return { ConsumerDescription: { ConsumerARN: command.input.ConsumerARN, ConsumerStatus: 'ACTIVE' } };
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  return { client: { send } as unknown as KinesisClient, registered };
}

/** The stream port a worker reads through. */
const portOf = (options: WorkerOptions) =>
  (createWorker(options) as unknown as { deps: { stream: KinesisStreamPort } }).deps.stream;

const handlerOf = (client: KinesisClient) =>
  (client.config as unknown as { requestHandler: { constructor: { name: string } } }).requestHandler.constructor.name;

describe('the retrieval mode a worker reads with', () => {
  it('polls by default', () => {
    const port = portOf({ ...names, processorFactory, kinesisConfig: { region: 'eu-west-1' } });
    expect(port).toBeInstanceOf(KinesisStreamPort);
    expect(port).not.toBeInstanceOf(FanOutStreamPort);
  });

  it('subscribes through a stream consumer named after the application unless it is given a name', async () => {
    const kinesis = registeringKinesis();
    const port = portOf({ ...names, processorFactory, retrieval: { mode: 'fan-out' }, kinesisClient: kinesis.client });
    expect(port).toBeInstanceOf(FanOutStreamPort);
    await (port as FanOutStreamPort).consumer();

    const named = portOf({
      ...names,
      processorFactory,
      retrieval: { mode: 'fan-out', consumerName: 'click-audit' },
      kinesisClient: kinesis.client,
    });
    await (named as FanOutStreamPort).consumer();
    expect(kinesis.registered).toEqual(['ClickCounter', 'click-audit']);
  });

  it('makes a polling client that speaks HTTP/1.1 and a fan-out one that speaks HTTP/2, as SubscribeToShard needs', () => {
    const config = { kinesisConfig: { region: 'eu-west-1' } };
    expect(handlerOf(kinesisClientFrom(config))).toBe('NodeHttpHandler');
    expect(handlerOf(kinesisClientFrom(config, 'http1'))).toBe('NodeHttpHandler');
    expect(handlerOf(kinesisClientFrom(config, 'http2'))).toBe('NodeHttp2Handler');
    const polling = portOf({ ...names, processorFactory, ...config });
    const fanOut = portOf({ ...names, processorFactory, retrieval: { mode: 'fan-out' }, ...config });
    expect(handlerOf((polling as unknown as { kinesis: KinesisClient }).kinesis)).toBe('NodeHttpHandler');
    expect(handlerOf((fanOut as unknown as { kinesis: KinesisClient }).kinesis)).toBe('NodeHttp2Handler');
  });

  it('builds either client from the whole configuration it is given: region, endpoint and all', async () => {
    const kinesisConfig = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:4568' };
    for (const protocol of ['http1', 'http2'] as const) {
      const client = kinesisClientFrom({ kinesisConfig }, protocol);
      expect(await client.config.region()).toBe('eu-west-1');
      const endpoint = await client.config.endpoint?.();
      expect([endpoint?.hostname, endpoint?.port]).toEqual(['127.0.0.1', 4568]);
    }
  });

  it('refuses a mode it does not know, naming it', () => {
    const make = () => schedulerConfig({ ...names, retrieval: { mode: 'push' } as never });
    expect(make).toThrow(InvalidConfigError);
    expect(make).toThrow('retrieval mode push is not polling or fan-out');
  });

  it('retries a throwing batch by default', () => {
    expect(schedulerConfig(names).onProcessingError).toBe('retry');
  });
});
