import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  type KinesisClient,
  LimitExceededException,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import {
  DependencyError,
  ExpiredIteratorError,
  type IteratorPosition,
  KinesisStreamPort,
  ResourceNotFoundError,
  ThrottledError,
} from '../src/index.js';

type Command = { readonly input: object };

/** A Kinesis client that records the commands it is sent and answers them in order from `answers`. */
function fakeKinesis(answers: Array<object | Error>) {
  const sent: Command[] = [];
  const client = {
    send: async (command: Command) => {
      sent.push(command);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected ${command.constructor.name}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return {
    port: new KinesisStreamPort({ streamName: 'Trades', kinesisClient: client as unknown as KinesisClient }),
    sent,
  };
}

const metadata = { $metadata: {} };
const LOW = { StartingHashKey: '0', EndingHashKey: '170141183460469231731687303715884105727' };
const HIGH = {
  StartingHashKey: '170141183460469231731687303715884105728',
  EndingHashKey: '340282366920938463463374607431768211455',
};

describe('KinesisStreamPort', () => {
  it('lists shards page by page; a page after the first names only the NextToken', async () => {
    const { port, sent } = fakeKinesis([
      {
        Shards: [
          {
            ShardId: 'shardId-000000000000',
            HashKeyRange: { StartingHashKey: '0', EndingHashKey: HIGH.EndingHashKey },
            SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '99' },
          },
          { ShardId: 'shardId-000000000001', ParentShardId: 'shardId-000000000000', HashKeyRange: LOW },
        ],
        NextToken: 'page-2',
      },
      {
        Shards: [
          {
            ShardId: 'shardId-000000000003',
            ParentShardId: 'shardId-000000000001',
            AdjacentParentShardId: 'shardId-000000000002',
            HashKeyRange: HIGH,
            SequenceNumberRange: { StartingSequenceNumber: '200' },
          },
        ],
      },
    ]);

    const shards = await port.listShards();

    expect(sent.every((command) => command instanceof ListShardsCommand)).toBe(true);
    expect(sent.map((command) => command.input)).toEqual([{ StreamName: 'Trades' }, { NextToken: 'page-2' }]);
    expect(shards).toEqual([
      {
        shardId: 'shardId-000000000000',
        parentShardIds: [],
        hashKeyRange: { startingHashKey: '0', endingHashKey: HIGH.EndingHashKey },
        endingSequenceNumber: '99',
      },
      {
        shardId: 'shardId-000000000001',
        parentShardIds: ['shardId-000000000000'],
        hashKeyRange: { startingHashKey: LOW.StartingHashKey, endingHashKey: LOW.EndingHashKey },
      },
      {
        shardId: 'shardId-000000000003',
        parentShardIds: ['shardId-000000000001', 'shardId-000000000002'],
        hashKeyRange: { startingHashKey: HIGH.StartingHashKey, endingHashKey: HIGH.EndingHashKey },
      },
    ]);
  });

  it.each<[IteratorPosition, object]>([
    [{ type: 'TRIM_HORIZON' }, {}],
    [{ type: 'LATEST' }, {}],
    [
      { type: 'AT_TIMESTAMP', timestamp: new Date('2026-01-01T00:00:00Z') },
      { Timestamp: new Date('2026-01-01T00:00:00Z') },
    ],
    [{ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '4959' }, { StartingSequenceNumber: '4959' }],
    [{ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '4960' }, { StartingSequenceNumber: '4960' }],
  ])('asks for a %o iterator with exactly the fields that position needs', async (position, extra) => {
    const { port, sent } = fakeKinesis([{ ShardIterator: 'iterator-1' }]);

    await expect(port.getShardIterator('shardId-000000000001', position)).resolves.toBe('iterator-1');

    expect(sent[0]).toBeInstanceOf(GetShardIteratorCommand);
    expect(sent[0]?.input).toEqual({
      StreamName: 'Trades',
      ShardId: 'shardId-000000000001',
      ShardIteratorType: position.type,
      ...extra,
    });
  });

  it('fails with a DependencyError when Kinesis returns no iterator', async () => {
    const { port } = fakeKinesis([{}]);
    await expect(port.getShardIterator('shardId-000000000001', { type: 'LATEST' })).rejects.toBeInstanceOf(
      DependencyError,
    );
  });

  it('maps a page of records, with the lag and the next iterator', async () => {
    const arrived = new Date('2026-01-01T00:00:01Z');
    const { port, sent } = fakeKinesis([
      {
        Records: [
          {
            SequenceNumber: '4959',
            PartitionKey: 'AAPL',
            Data: new Uint8Array([1, 2]),
            ApproximateArrivalTimestamp: arrived,
          },
        ],
        NextShardIterator: 'iterator-2',
        MillisBehindLatest: 1500,
      },
    ]);

    const page = await port.getRecords('iterator-1', 500);

    expect(sent[0]).toBeInstanceOf(GetRecordsCommand);
    expect(sent[0]?.input).toEqual({ ShardIterator: 'iterator-1', Limit: 500 });
    expect(page).toEqual({
      records: [
        {
          sequenceNumber: '4959',
          partitionKey: 'AAPL',
          data: new Uint8Array([1, 2]),
          approximateArrivalTimestamp: arrived,
        },
      ],
      nextIterator: 'iterator-2',
      millisBehindLatest: 1500,
      childShards: [],
    });
  });

  it('at the end of a closed shard, has no next iterator and names the child shards', async () => {
    const { port } = fakeKinesis([
      {
        Records: [],
        MillisBehindLatest: 0,
        ChildShards: [
          { ShardId: 'shardId-000000000001', ParentShards: ['shardId-000000000000'], HashKeyRange: LOW },
          { ShardId: 'shardId-000000000002', ParentShards: ['shardId-000000000000'], HashKeyRange: HIGH },
        ],
      },
    ]);

    const page = await port.getRecords('iterator-9', 10_000);

    expect(page.nextIterator).toBeUndefined();
    expect(page.childShards).toEqual([
      {
        shardId: 'shardId-000000000001',
        parentShardIds: ['shardId-000000000000'],
        hashKeyRange: { startingHashKey: LOW.StartingHashKey, endingHashKey: LOW.EndingHashKey },
      },
      {
        shardId: 'shardId-000000000002',
        parentShardIds: ['shardId-000000000000'],
        hashKeyRange: { startingHashKey: HIGH.StartingHashKey, endingHashKey: HIGH.EndingHashKey },
      },
    ]);
  });

  it('translates Kinesis errors into the library’s own, on every call', async () => {
    const { port } = fakeKinesis([
      new ExpiredIteratorException({ message: 'Iterator expired', ...metadata }),
      new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard', ...metadata }),
      new LimitExceededException({ message: 'Rate exceeded for stream', ...metadata }),
      new ResourceNotFoundException({ message: 'Stream Trades not found', ...metadata }),
      new InvalidArgumentException({ message: 'bad iterator', ...metadata }),
      new LimitExceededException({ message: 'Rate exceeded for GetShardIterator', ...metadata }),
    ]);

    await expect(port.getRecords('old', 100)).rejects.toBeInstanceOf(ExpiredIteratorError);
    await expect(port.getRecords('i', 100)).rejects.toBeInstanceOf(ThrottledError);
    await expect(port.listShards()).rejects.toBeInstanceOf(ThrottledError);
    await expect(port.listShards()).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(port.getRecords('i', 100)).rejects.toBeInstanceOf(DependencyError);
    await expect(port.getShardIterator('s', { type: 'LATEST' })).rejects.toBeInstanceOf(ThrottledError);
  });
});
