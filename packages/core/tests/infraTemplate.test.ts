import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_RESOURCES, STATS_TABLE_KEY, STATS_TABLE_NAME, STREAM_NAME } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Statement {
  Action: string[];
  /** "*" only for actions IAM cannot narrow to a resource (cloudwatch:GetMetricData). */
  Resource: Array<{ 'Fn::Sub': string }> | '*';
}
interface Resource {
  Type: string;
  Properties: { Name?: string; PolicyDocument?: { Statement: Statement[] } };
}
const template = JSON.parse(readFileSync(join(ROOT, 'infra/stock-trades.template.json'), 'utf8')) as {
  Resources: Record<string, Resource>;
};
const resources = Object.values(template.Resources);
const policies = Object.fromEntries(
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy')
    .map(([name, resource]) => [name, resource.Properties.PolicyDocument?.Statement ?? []]),
);

/**
 * Names an ARN in the template points at: "stream/StockTradeStream" → StockTradeStream; a stream
 * consumer's ("stream/StockTradeStream/consumer/App:*", for fan-out) is its stream's, which it is
 * deleted with.
 */
function resourceName(arn: { 'Fn::Sub': string }): string {
  return (arn['Fn::Sub'].split(/:(?:stream|table)\//)[1] ?? '').replace(/\/consumer\/[^/]+$/, '');
}

/** Actions IAM has no resource type for: they are granted on "*" or not at all. */
const NO_RESOURCE_TYPE = new Set(['cloudwatch:GetMetricData']);

/** Calls only the dashboard's instructor actions make, which refuse --target aws: no policy grants them. */
const EMBEDDED_ONLY = new Set(['kinesis:UpdateShardCount']);

/** Every `new XCommand(` in the project's sources, as IAM actions ("kinesis:PutRecords"). */
function actionsUsedInSources(): Set<string> {
  const used = new Set<string>();
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const src = join(ROOT, 'packages', pkg, 'src');
    for (const file of readdirSync(src, { recursive: true }) as string[]) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(join(src, file), 'utf8');
      for (const [service, module] of [
        ['kinesis', '@aws-sdk/client-kinesis'],
        ['dynamodb', '@aws-sdk/client-dynamodb'],
        ['cloudwatch', '@aws-sdk/client-cloudwatch'],
      ] as const) {
        const imported = new RegExp(`import \\{([^}]*)\\} from '${module}'`).exec(text)?.[1] ?? '';
        for (const [, command] of imported.matchAll(/(\w+)Command\b/g)) {
          if (text.includes(`new ${command}Command(`)) used.add(`${service}:${command}`);
        }
      }
    }
  }
  return used;
}

describe('infra/stock-trades.template.json', () => {
  it('creates the streams core names, and no others', () => {
    const streams = resources.filter((resource) => resource.Type === 'AWS::Kinesis::Stream');
    const expected = PROJECT_RESOURCES.filter((resource) => resource.kind === 'stream').map(
      (resource) => resource.name,
    );
    expect(streams.map((stream) => stream.Properties.Name).sort()).toEqual(expected.sort());
  });

  it('creates the results table core names, keyed as the aggregator writes it', () => {
    const tables = resources.filter((resource) => resource.Type === 'AWS::DynamoDB::Table');
    expect(tables.map((table) => (table.Properties as { TableName?: string }).TableName)).toEqual([STATS_TABLE_NAME]);
    expect(tables[0]?.Properties).toMatchObject({ KeySchema: [{ AttributeName: STATS_TABLE_KEY, KeyType: 'HASH' }] });
  });

  it('grants access only to resources on the project’s list', () => {
    const ours = new Set(PROJECT_RESOURCES.map((resource) => resource.name));
    for (const statements of Object.values(policies)) {
      for (const statement of statements) {
        if (statement.Resource === '*') {
          expect(statement.Action.filter((action) => !NO_RESOURCE_TYPE.has(action))).toEqual([]);
          continue;
        }
        for (const arn of statement.Resource) expect(ours, arn['Fn::Sub']).toContain(resourceName(arn));
      }
    }
  });

  it('allows every AWS call the code makes', () => {
    const allowed = new Set(
      Object.values(policies).flatMap((statements) => statements.flatMap((statement) => statement.Action)),
    );
    const used = actionsUsedInSources();
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((action) => !allowed.has(action) && !EMBEDDED_ONLY.has(action))).toEqual([]);
  });

  it('lets the dashboard only read', () => {
    const actions = (policies.DashboardPolicy ?? []).flatMap((statement) => statement.Action);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => !/:(List|Get|Scan|Describe)/.test(action))).toEqual([]);
  });

  it('gives the producer only what it needs: the tutorial’s writer, and ListShards for --aggregate', () => {
    expect(policies.ProducerPolicy).toEqual([
      {
        Sid: 'WriteTrades',
        Effect: 'Allow',
        Action: ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: [
          { 'Fn::Sub': `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/${STREAM_NAME}` },
        ],
      },
    ]);
  });
});
