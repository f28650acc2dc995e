import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { JsonLinesFile } from '@stock-trades/cli-kit';
import { formatStockStats, formatWindow, STATS_TABLE_KEY } from '@stock-trades/core';
import type { WindowResult } from './WindowResult.js';

/** Where window results go. */
export interface ResultSink {
  emit(results: readonly WindowResult[]): Promise<void>;
}

/** Prints each result in the tutorial's words; resolves once the text is taken. */
export class PrintingResultSink implements ResultSink {
  constructor(private readonly write: (text: string) => Promise<void> | void) {}

  async emit(results: readonly WindowResult[]): Promise<void> {
    await this.write(results.map(formatResult).join(''));
  }
}

export function formatResult(result: WindowResult): string {
  const start = Date.parse(result.windowStart);
  const window = formatWindow(start, Date.parse(result.windowEnd) - start);
  const notes = [
    ...(result.revision > 1 ? [`revision ${result.revision}`] : []),
    ...(result.complete ? [] : [`incomplete, waiting for ${result.missingShards.join(', ')}`]),
  ];
  const header = `****** All shards stats for ${window}${notes.length > 0 ? ` (${notes.join('; ')})` : ''} ******`;
  const lines = formatStockStats({ ...result }).map((line) => line);
  return [
    header,
    ...lines,
    `Shards reporting: ${result.shards.length} (${result.shards.join(', ')}).`,
    '*'.repeat(Math.min(header.length, 100)),
    '',
  ].join('\n');
}

/**
 * `--out FILE.jsonl`: one JSON line per result (the JSONL contract in docs/reference.md).
 * `emit` resolves once the lines are written, and rejects with the file's OutputWriteError
 * when they cannot be.
 */
export class JsonlResultSink implements ResultSink {
  constructor(private readonly file: JsonLinesFile) {}

  emit(results: readonly WindowResult[]): Promise<void> {
    return this.file.append(results.map((result) => JSON.stringify(result)));
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/**
 * `--table`: one item per window in StockTradeStats, replaced only by a higher revision
 * (a conditional put), so replays and races never move a window back.
 */
export class DynamoResultSink implements ResultSink {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async emit(results: readonly WindowResult[]): Promise<void> {
    for (const result of results) {
      try {
        await this.dynamodb.send(
          new PutItemCommand({
            TableName: this.table,
            Item: {
              [STATS_TABLE_KEY]: { S: result.windowStart },
              windowEnd: { S: result.windowEnd },
              complete: { BOOL: result.complete },
              revision: { N: String(result.revision) },
              trades: { N: String(result.trades) },
              result: { S: JSON.stringify(result) },
            },
            ConditionExpression: 'attribute_not_exists(#key) OR revision < :revision',
            ExpressionAttributeNames: { '#key': STATS_TABLE_KEY },
            ExpressionAttributeValues: { ':revision': { N: String(result.revision) } },
          }),
        );
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') continue;
        throw error;
      }
    }
  }
}

export class FanOutResultSink implements ResultSink {
  constructor(private readonly sinks: readonly ResultSink[]) {}

  async emit(results: readonly WindowResult[]): Promise<void> {
    if (results.length === 0) return;
    for (const sink of this.sinks) await sink.emit(results);
  }
}
