// Aggregate 5,000 small records as the KPL does, then deaggregate them again, and print what came back.
// Run: node examples/round-trip.mjs
import { deaggregate, partitionKeyHash, RecordAggregator } from '@stock-trades/kpl';

const tickers = ['AAPL', 'AMZN', 'MSFT', 'GOOG'];
const aggregator = new RecordAggregator();
const aggregates = [];
for (let n = 0; n < 5000; n++) {
  const done = aggregator.add(tickers[n % 4], Buffer.from(JSON.stringify({ n, ticker: tickers[n % 4] })));
  if (done) aggregates.push(done);
}
const last = aggregator.flush();
if (last) aggregates.push(last);

// As GetRecords would return them: one Kinesis record per aggregate.
const page = aggregates.map((aggregate, index) => ({
  sequenceNumber: String(index + 1),
  partitionKey: aggregate.partitionKey,
  data: aggregate.data,
}));
const { records, outOfRange } = deaggregate(page);
const numbers = records.map((record) => JSON.parse(Buffer.from(record.data).toString()).n);
console.log(
  JSON.stringify({
    aggregates: aggregates.length,
    userRecords: records.length,
    inOrder: numbers.every((n, index) => n === index),
    outOfRange,
    aaplHashKey: partitionKeyHash('AAPL').toString(),
  }),
);
