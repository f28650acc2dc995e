// The dashboard page: listens to /events (one view a second) and draws it. Plain JavaScript,
// no build; uPlot (served from node_modules) draws the chart.

const token = document.querySelector('meta[name="dashboard-token"]').content;
const $ = (selector) => document.querySelector(selector);
// Sixteen colours told apart on a projector: up to 16 open shards each get their own.
const PALETTE = [
  '#58a6ff',
  '#3fb950',
  '#d29922',
  '#f85149',
  '#bc8cff',
  '#39c5cf',
  '#ff7b72',
  '#e3b341',
  '#a5d6ff',
  '#7ee787',
  '#f2cc60',
  '#ffa198',
  '#d2a8ff',
  '#56d4dd',
  '#ffab70',
  '#c9d1d9',
];
let chart;
let chartShards = '';

function text(value) {
  return value === null || value === undefined ? '–' : String(value);
}

function cell(content, className) {
  const td = document.createElement('td');
  td.textContent = text(content);
  if (className) td.className = className;
  return td;
}

function ago(ms) {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? 'just now' : `${Math.round(ms / 1000)} s ago`;
}

/** One clock everywhere: UTC, 24-hour, labelled where it is shown. */
function time(iso) {
  return iso.slice(11, 19);
}

/** MillisBehindLatest as a class reads it: ms while small, seconds once it matters. */
function lag(ms) {
  if (ms === null || ms === undefined) return '–';
  return ms < 10_000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function seconds(ms) {
  return `${Math.max(0, Math.ceil(ms / 1000))} s`;
}

function drawStatus(view) {
  const status = $('#status');
  status.dataset.state = view.status.connected ? 'connected' : 'disconnected';
  status.textContent = view.status.connected ? 'connected' : `disconnected: ${view.status.error}`;
  $('#where').textContent = `${view.target === 'aws' ? 'AWS (read-only)' : 'embedded stack'} · ${view.stream}`;
}

function drawPipeline(view) {
  $('#stream-name').textContent = view.stream;
  $('#stats-name').textContent = view.statsStream;
  // What Kinesis took from the producer, as the stack counts it; else (AWS, no count) what the workers read, said so.
  const flow = view.flow;
  const written = flow.acceptedTradesPerSecond;
  $('#flow-trades').textContent = text(written ?? flow.tradesPerSecond);
  const notes = [];
  if (written === null) notes.push('read by the workers');
  else {
    if (flow.acceptedPerSecond !== written) notes.push(`in ${text(flow.acceptedPerSecond)} records/s`);
    if (flow.refusedPerSecond > 0) notes.push(`${text(flow.refusedPerSecond)} refused/s`);
  }
  $('#flow-trades-note').textContent = notes.join(' · ');
  $('#flow-leases').textContent = String(view.leases.filter((lease) => lease.owner && !lease.finished).length);
  $('#flow-samples').textContent = text(view.flow.samplesPerSecond);
  $('#flow-results').textContent = text(view.flow.resultsPerMinute);
  const producer = view.processes.find((process) => process.role === 'producer' && process.running);
  $('#producer-detail').textContent = producer ? producer.detail : 'PutRecords';
  const chips = $('#shard-chips');
  // The open shards, each by the last digits of its id; the closed ones as one chip (the shard table lists them).
  const closed = view.shards.filter((shard) => !shard.open);
  const closedChip = document.createElement('span');
  closedChip.className = 'chip closed';
  closedChip.textContent = `${closed.length} closed`;
  closedChip.title = closed.map((shard) => shard.shardId).join(', ');
  chips.replaceChildren(
    ...view.shards
      .filter((shard) => shard.open)
      .map((shard) => {
        const chip = document.createElement('span');
        chip.className = 'chip';
        chip.textContent = shard.shardId.slice(-4);
        chip.title = `${shard.shardId} open${shard.parents.length ? `, from ${shard.parents.join(' + ')}` : ''}`;
        return chip;
      }),
    ...(closed.length > 0 ? [closedChip] : []),
  );
  const workers = $('#worker-chips');
  workers.replaceChildren(
    ...view.workers.map((worker) => {
      const chip = document.createElement('span');
      chip.className = `chip${worker.renewing ? '' : ' dead'}`;
      chip.dataset.worker = worker.workerId;
      chip.dataset.renewing = String(worker.renewing);
      const leases = `${worker.leases} lease${worker.leases === 1 ? '' : 's'}`;
      chip.textContent = worker.renewing
        ? `${worker.workerId}: ${leases} · lag ${lag(worker.millisBehindLatest)}`
        : `${worker.workerId}: not renewing · ${leases} ${worker.expiresInMs > 0 ? `expire in ${seconds(worker.expiresInMs)}` : 'expired'}`;
      return chip;
    }),
  );
  const aggregator = view.aggregator;
  const rejected = Object.values(view.rejectedSamples).reduce((sum, count) => sum + count, 0);
  const reasons = Object.entries(view.rejectedSamples)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  $('#aggregator-detail').textContent = aggregator
    ? `${aggregator.owner ?? 'no owner'}${aggregator.expired ? ' (expired)' : ''}${rejected > 0 ? ` · ${rejected} samples rejected (${reasons})` : ''}`
    : 'not started';
}

function drawShards(view) {
  const leases = new Map(view.leases.map((lease) => [lease.shardId, lease]));
  const shards = new Map(view.shards.map((shard) => [shard.shardId, shard]));
  const all = [...new Set([...view.shards.map((shard) => shard.shardId), ...leases.keys()])].sort();
  // A finished shard has nothing more to show: they collapse into one row, after the open ones.
  const isClosed = (shardId) => leases.get(shardId)?.finished || shards.get(shardId)?.open === false;
  const ids = all.filter((shardId) => !isClosed(shardId));
  const closed = all.filter(isClosed);
  const closedRow = document.createElement('tr');
  closedRow.className = 'closed-shards';
  const closedCell = cell(`closed shards (${closed.length}): ${closed.map((id) => id.slice(-4)).join(', ')}`, 'muted');
  closedCell.colSpan = 7;
  closedRow.append(closedCell);
  $('#shards tbody').replaceChildren(
    ...ids.map((shardId) => {
      const shard = shards.get(shardId);
      const lease = leases.get(shardId);
      const row = document.createElement('tr');
      row.dataset.shard = shardId;
      row.dataset.owner = lease?.owner ?? '';
      row.dataset.lag =
        lease?.millisBehindLatest === null || lease?.millisBehindLatest === undefined
          ? ''
          : String(lease.millisBehindLatest);
      const state = lease?.finished ? 'finished' : shard && !shard.open ? 'closed' : 'open';
      const note = lease?.expired
        ? ' (expired)'
        : lease?.expiresInMs !== null && lease?.expiresInMs !== undefined
          ? ` (expires in ${seconds(lease.expiresInMs)})`
          : '';
      // A processor throwing on its batch: kcl retries it in place, the lease kept; the class sees the shard stuck.
      const failing = lease?.processingFailures > 0 ? ` · processor failing (${lease.processingFailures}×)` : '';
      row.dataset.processingFailures = String(lease?.processingFailures ?? 0);
      const owner = lease?.owner ? `${lease.owner}${note}${failing}` : '—';
      row.dataset.expiresInMs =
        lease?.expiresInMs === null || lease?.expiresInMs === undefined ? '' : String(lease.expiresInMs);
      row.append(
        cell(shardId),
        cell(shard?.parents.length ? `${state}, from ${shard.parents.map((id) => id.slice(-4)).join('+')}` : state),
        cell(owner, lease?.expired || note || failing ? 'bad' : ''),
        cell(lease?.counter, 'num'),
        cell(ago(lease?.checkpointAgeMs)),
        cell(lag(lease?.millisBehindLatest), `num${(lease?.millisBehindLatest ?? 0) >= 5000 ? ' bad' : ''}`),
        cell(
          lease?.recordsPerSecond === null || lease?.recordsPerSecond === undefined
            ? '–'
            : Math.round(lease.recordsPerSecond),
          'num',
        ),
      );
      return row;
    }),
    ...(closed.length > 0 ? [closedRow] : []),
  );
}

/** Time-axis labels on the page's one clock: UTC, 24-hour (HH:MM:SS, or HH:MM with `end` 16). */
function utcTicks(end) {
  return (_chart, splits) => splits.map((at) => new Date(at * 1000).toISOString().slice(11, end));
}

/**
 * A time chart on the page's one clock (UTC, 24-hour: axis labels, and the cursor's time in the legend), one line
 * per shard in its colour. `tickEnd` 19 labels HH:MM:SS, 16 HH:MM.
 */
function timeChart(holder, shards, data, { width, height, legend, tickEnd, tickSpace, ySize }) {
  return new uPlot(
    {
      width,
      height,
      legend: { show: legend },
      series: [
        {
          label: 'UTC',
          value: (_chart, at) => (at === null ? '–' : new Date(at * 1000).toISOString().slice(11, 19)),
        },
        ...shards.map((shardId, index) => ({
          label: shardId.replace('shardId-', ''),
          stroke: PALETTE[index % PALETTE.length],
          width: 1.5,
          spanGaps: false,
        })),
      ],
      axes: [
        { stroke: '#8aa0b5', grid: { stroke: '#2a3a4c' }, values: utcTicks(tickEnd), space: tickSpace },
        { stroke: '#8aa0b5', grid: { stroke: '#2a3a4c' }, ...(ySize ? { size: ySize } : {}) },
      ],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      scales: { x: { time: true } },
    },
    data,
    holder,
  );
}

function drawChart(view) {
  // The open shards, and a closed one only while its last points are still on the chart.
  const open = new Set(view.shards.filter((shard) => shard.open).map((shard) => shard.shardId));
  const shards = Object.keys(view.rates.perShard)
    .filter((shardId) => open.has(shardId) || view.rates.perShard[shardId].some((value) => value !== null))
    .sort();
  const data = [view.rates.times, ...shards.map((shardId) => view.rates.perShard[shardId])];
  const key = shards.join(',');
  if (!chart || key !== chartShards) {
    chart?.destroy();
    chartShards = key;
    const holder = $('#chart');
    chart = timeChart(holder, shards, data, {
      width: chartWidth(holder),
      height: 220,
      legend: true,
      tickEnd: 19,
      tickSpace: 80,
    });
    holder.dataset.points = String(view.rates.times.length);
    return;
  }
  chart.setData(data);
  $('#chart').dataset.points = String(view.rates.times.length);
}

/** What each of CloudWatch's metrics means, as the page explains it under the name the console uses. */
const METRIC_HELP = {
  IncomingRecords: 'records Kinesis accepted',
  IncomingBytes: 'bytes of those records',
  WriteProvisionedThroughputExceeded: 'records refused: the shard was full',
  ReadProvisionedThroughputExceeded: 'GetRecords calls refused',
  IteratorAgeMilliseconds: 'how far behind the reader is (ms)',
};
const historyCharts = new Map();

function chartWidth(holder) {
  return Math.max(320, holder.clientWidth - 8);
}

function miniWidth(holder) {
  return Math.max(240, holder.clientWidth - 4);
}

function drawHistory(view) {
  const history = view.history;
  $('#history-note').textContent = [
    history.source === 'CloudWatch'
      ? 'From CloudWatch (GetMetricData on AWS/Kinesis), one point a minute.'
      : `From the embedded stack’s own counters, one point per ${history.periodSeconds} s (CloudWatch: per minute).`,
    history.note ?? '',
  ].join(' ');
  const box = $('#history');
  for (const [name, perShard] of Object.entries(history.metrics)) {
    const shards = Object.keys(perShard).sort();
    const statistic = name === 'IteratorAgeMilliseconds' ? 'Maximum' : 'Sum';
    const key = `${shards.join(',')}|${history.periodSeconds}`;
    let entry = historyCharts.get(name);
    if (!entry) {
      const figure = document.createElement('figure');
      figure.dataset.metric = name;
      const caption = document.createElement('figcaption');
      const title = document.createElement('strong');
      title.textContent = name;
      const help = document.createElement('span');
      help.className = 'muted';
      caption.append(title, ' ', help);
      const holder = document.createElement('div');
      figure.append(caption, holder);
      box.append(figure);
      entry = { figure, help, holder, chart: null, key: '' };
      historyCharts.set(name, entry);
    }
    entry.help.textContent = `${METRIC_HELP[name] ?? ''} · ${statistic} per ${history.periodSeconds === 60 ? 'minute' : `${history.periodSeconds} s`}`;
    const data = [history.times, ...shards.map((shardId) => perShard[shardId])];
    // What the page draws, for anyone checking it against what happened: each series' total over the 15 minutes.
    entry.figure.dataset.totals = JSON.stringify(
      Object.fromEntries(
        shards.map((shardId) => [
          shardId,
          perShard[shardId].reduce(
            (sum, value) => (name === 'IteratorAgeMilliseconds' ? Math.max(sum, value ?? 0) : sum + (value ?? 0)),
            0,
          ),
        ]),
      ),
    );
    if (!entry.chart || entry.key !== key) {
      entry.chart?.destroy();
      entry.key = key;
      entry.chart = timeChart(entry.holder, shards, data, {
        width: miniWidth(entry.holder),
        height: 150,
        legend: false,
        tickEnd: 16,
        tickSpace: 70,
        ySize: 60,
      });
    } else entry.chart.setData(data);
  }
}

// The charts follow their panels' width (a projector's resolution, a window made narrower).
window.addEventListener('resize', () => {
  if (chart) chart.setSize({ width: chartWidth($('#chart')), height: 220 });
  for (const entry of historyCharts.values()) entry.chart?.setSize({ width: miniWidth(entry.holder), height: 150 });
});

function drawEvents(view) {
  $('#events').replaceChildren(
    ...view.events.map((event) => {
      const item = document.createElement('li');
      item.dataset.kind = event.kind;
      item.dataset.shard = event.shardId;
      item.dataset.worker = event.worker ?? '';
      item.dataset.from = event.from ?? '';
      item.dataset.at = event.at;
      const kind = document.createElement('span');
      kind.className = `kind ${event.kind}`;
      kind.textContent = event.kind;
      const from = event.from ? ` from ${event.from}` : '';
      item.append(`${time(event.at)} `, kind, ` ${event.shardId} ${event.worker ? `by ${event.worker}` : ''}${from}`);
      return item;
    }),
  );
}

function popular(entry) {
  return entry ? `${entry.ticker} (${entry.count})` : '–';
}

/** "acknowledged by Kinesis / counted": equal (✓) when nothing was lost or doubled. */
function acknowledgedCell(window) {
  const acks = window.acknowledged;
  const result = window.result;
  if (!acks) return cell(null, 'num acked');
  const unknown = acks.unknown > 0 ? ` (+${acks.unknown} unknown)` : '';
  const same = result && result.trades === acks.acknowledged;
  const td = cell(
    `${acks.acknowledged}${unknown}${!result ? '' : same ? ' ✓' : ` ≠ ${result.trades}`}`,
    `num acked${result?.complete && !same && acks.unknown === 0 ? ' bad' : ''}`,
  );
  td.dataset.acknowledged = String(acks.acknowledged);
  td.dataset.unknown = String(acks.unknown);
  return td;
}

function drawWindows(view) {
  $('#windows').classList.toggle('no-acks', !view.windows.some((window) => window.acknowledged));
  $('#windows tbody').replaceChildren(
    ...view.windows.map((window) => {
      const row = document.createElement('tr');
      row.dataset.windowStart = window.windowStart;
      const result = window.result;
      const status = document.createElement('td');
      const badge = document.createElement('span');
      if (!result) {
        badge.className = 'badge wait';
        badge.textContent = 'waiting';
      } else {
        badge.className = `badge ${result.complete ? 'ok' : 'bad'}`;
        badge.textContent = `${result.complete ? 'complete' : `waiting for ${result.missingShards.join(', ')}`}${result.revision > 1 ? ` · revision ${result.revision}` : ''}`;
      }
      status.append(badge);
      row.append(
        cell(`${time(window.windowStart)}–${time(window.windowEnd)}`),
        status,
        cell(result?.trades, 'num trades'),
        cell(result ? popular(result.mostPopularBuy) : null, 'buy'),
        cell(result ? popular(result.mostPopularSell) : null, 'sell'),
        cell(result?.largestSell ? `${result.largestSell.quantity} ${result.largestSell.ticker}` : null, 'largest'),
        cell(result?.malformed, 'num malformed'),
        cell(result?.outOfRange ?? (result ? 0 : null), 'num'),
        cell(result?.duplicates ?? (result ? 0 : null), 'num duplicates'),
        acknowledgedCell(window),
        cell(
          window.samples
            .map((sample) => `${sample.shardId.slice(-4)}: ${sample.trades}${sample.late ? '*' : ''}`)
            .join(' · '),
          'per-shard',
        ),
      );
      return row;
    }),
  );
}

function drawActions(view) {
  const panel = $('#actions');
  panel.hidden = !(view.actions && token);
  if (panel.hidden) return;
  // Processes that ended (a killed worker, the producer before a new rate) collapse into one row under the running ones.
  const ended = view.processes.filter((process) => !process.running);
  const endedRow = document.createElement('tr');
  endedRow.className = 'ended-processes';
  const endedCell = cell(
    `ended (${ended.length}): ${ended.map((process) => `${process.name} (${process.detail})`).join(', ')}`,
    'muted',
  );
  endedCell.colSpan = 3;
  endedRow.append(endedCell);
  $('#processes tbody').replaceChildren(
    ...view.processes
      .filter((process) => process.running)
      .map((process) => {
        const row = document.createElement('tr');
        row.dataset.process = process.name;
        const buttons = document.createElement('td');
        if (process.role === 'worker' && process.running) {
          for (const [action, label] of [
            ['kill-worker', 'Kill (SIGKILL)'],
            ['stop-worker', 'Stop cleanly'],
            ...(view.pauseSeconds ? [['pause-worker', `Pause ${view.pauseSeconds} s`]] : []),
          ]) {
            const button = document.createElement('button');
            button.type = 'button';
            button.textContent = label;
            button.dataset.action = action;
            button.dataset.worker = process.name;
            if (action === 'kill-worker') button.className = 'danger';
            buttons.append(button);
          }
        }
        row.append(cell(process.name), cell(process.running ? `running ${process.detail}` : process.detail), buttons);
        return row;
      }),
    ...(ended.length > 0 ? [endedRow] : []),
  );
}

function rate(value) {
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}

function reads(perSecond) {
  return perSecond === 1 ? 'one read a second' : `${perSecond} reads a second`;
}

function drawThrottling(view) {
  const panel = $('#throttling-panel');
  const throttling = view.throttling;
  panel.hidden = !throttling;
  if (!throttling) return;
  const state = $('#throttling-state');
  const throttled = throttling.refusedPerSecond + throttling.readsThrottledPerSecond > 0;
  state.className = `badge ${!throttling.shardLimits ? 'wait' : throttled ? 'bad' : 'ok'}`;
  state.textContent = !throttling.shardLimits ? 'off' : throttled ? 'throttling now' : 'no throttling';
  const kib = Math.round(throttling.writeBytesPerSecond / 1024);
  $('#throttling-note').textContent = throttling.shardLimits
    ? `Each shard takes ${throttling.writeRecordsPerSecond} records or ${kib} KiB a second, and ${reads(throttling.readCallsPerSecond ?? 5)}. Since the stack started: ${throttling.refusedTotal} records refused, ${throttling.readsThrottledTotal} reads throttled.`
    : 'pnpm stack --no-shard-limits: nothing is refused, and nothing is counted here.';
  $('#throttling tbody').replaceChildren(
    ...throttling.shards.map((shard) => {
      const row = document.createElement('tr');
      row.dataset.shard = shard.shardId;
      const share = document.createElement('td');
      const bar = document.createElement('span');
      bar.className = `meter${shard.writeShare >= 0.95 ? ' full' : ''}`;
      bar.style.setProperty('--share', String(Math.min(1, shard.writeShare)));
      share.append(bar, ` ${Math.round(shard.writeShare * 100)} %`);
      row.append(
        cell(shard.shardId.replace('shardId-', '')),
        cell(`${rate(shard.recordsInPerSecond)} rec/s · ${rate(shard.bytesInPerSecond / 1024)} KiB/s`, 'num'),
        share,
        cell(rate(shard.refusedPerSecond), `num${shard.refusedPerSecond > 0 ? ' bad' : ''}`),
        cell(rate(shard.readsThrottledPerSecond), `num${shard.readsThrottledPerSecond > 0 ? ' bad' : ''}`),
      );
      return row;
    }),
  );
}

function drawReaders(view) {
  const readers = view.readers;
  $('#readers-panel').hidden = !readers.counted && readers.consumers.length === 0;
  $('#readers-stream').textContent = view.stream;
  const allowance = readers.readCallsPerSecond;
  $('#readers-note').textContent = readers.counted
    ? `Polling applications share each shard’s ${allowance === null ? 'reads' : reads(allowance)} and 2 MiB/s: every one more polls into the others’ allowance. Each fan-out consumer has its own 2 MiB/s per shard, pushed to it.`
    : 'Reads per application are counted by the embedded stack only.';
  $('#readers tbody').replaceChildren(
    ...readers.applications.map((app) => {
      const row = document.createElement('tr');
      row.dataset.application = app.application;
      row.dataset.mode = app.mode;
      row.dataset.records = String(app.recordsTotal);
      row.dataset.throttled = String(app.throttledTotal);
      const perShard = cell(
        app.shards
          .map(
            (shard) =>
              `${shard.shardId.replace('shardId-', '')}: ${rate(shard.readsPerSecond)} (${rate(shard.throttledPerSecond)})`,
          )
          .join(' · '),
        'per-shard',
      );
      row.append(
        cell(app.application),
        cell(app.mode === 'fan-out' ? `fan-out${app.consumerStatus ? ` (${app.consumerStatus})` : ''}` : 'polling'),
        cell(rate(app.recordsPerSecond), 'num'),
        cell(`${Math.round(app.throttledShare * 100)} %`, `num${app.throttledShare > 0 ? ' bad' : ''}`),
        perShard,
      );
      return row;
    }),
  );
  $('#consumers-note').textContent = readers.consumersError
    ? readers.consumersError
    : readers.consumers.length === 0
      ? `Registered consumers (enhanced fan-out): none on ${view.stream}. Every application here polls.`
      : `Registered consumers (enhanced fan-out): ${readers.consumers
          .map(
            (consumer) =>
              `${consumer.name} ${consumer.status}${consumer.createdAt ? ` since ${time(consumer.createdAt)} UTC` : ''}`,
          )
          .join('; ')}.`;
}

function drawKeySpace(view) {
  const open = view.shards.filter((shard) => shard.open);
  $('#keyspace-panel').hidden = open.length === 0;
  const writes = new Map((view.throttling?.shards ?? []).map((shard) => [shard.shardId, shard.tradesInPerSecond]));
  $('#keyspace tbody').replaceChildren(
    ...open.map((shard, index) => {
      const row = document.createElement('tr');
      row.dataset.shard = shard.shardId;
      row.dataset.tickers = shard.tickers.map((entry) => entry.ticker).join(' ');
      const range = document.createElement('td');
      const bar = document.createElement('span');
      bar.className = 'keybar';
      bar.title = `${shard.hashKeyRange.startingHashKey} – ${shard.hashKeyRange.endingHashKey}`;
      const part = document.createElement('span');
      part.className = 'keypart';
      part.style.left = `${shard.keySpace.start * 100}%`;
      part.style.width = `${Math.max(0.5, shard.keySpace.share * 100)}%`;
      part.style.background = PALETTE[index % PALETTE.length];
      bar.append(part);
      for (const entry of shard.tickers) {
        const tick = document.createElement('span');
        tick.className = 'keytick';
        tick.style.left = `${entry.at * 100}%`;
        bar.append(tick);
      }
      range.append(bar, ` ${(shard.keySpace.share * 100).toFixed(shard.keySpace.share < 0.1 ? 1 : 0)} %`);
      const tickers = cell(
        `${shard.tickers.length}: ${shard.tickers.map((entry) => entry.ticker).join(' ') || 'none'}`,
        'tickers',
      );
      const rateIn = writes.get(shard.shardId);
      row.append(
        cell(shard.shardId.replace('shardId-', '')),
        range,
        tickers,
        cell(rateIn === undefined ? '–' : rate(rateIn), 'num'),
      );
      return row;
    }),
  );
}

/** The banner of the last action: what happens next (with UTC times), then what did. */
function drawNarration(view) {
  const banner = $('#narration');
  const narration = view.narration;
  banner.hidden = !narration;
  document.body.classList.toggle('narrating', Boolean(narration));
  if (!narration) return;
  banner.dataset.state = narration.state;
  banner.dataset.action = narration.action;
  banner.dataset.startedAt = narration.startedAt;
  $('#narration-text').textContent = narration.text;
  $('#narration-outcome').textContent =
    narration.state === 'waiting' ? '' : `${narration.state === 'done' ? 'Done' : 'Not yet'}: ${narration.outcome}`;
}

/** As core's formatUsd (and pnpm teardown) writes dollars. */
function usd(value) {
  if (value === null) return '–';
  if (value > 0 && value < 0.0001) return '< $0.0001';
  return value < 1 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

/** The cost meter: Kinesis at list prices, since the page started watching, and per hour at today's pace. */
function drawCost(view) {
  const cost = view.cost;
  $('#cost-panel').hidden = !cost;
  if (!cost) return;
  $('#cost-prices').textContent = `(${cost.prices.region} list prices of ${cost.prices.asOf})`;
  const row = (name, amount, price, total, key) => {
    const tr = document.createElement('tr');
    tr.dataset.cost = key;
    tr.append(cell(name), cell(amount, 'num'), cell(price), cell(total, 'num'));
    return tr;
  };
  const total = row('total', '', '', usd(cost.totalUsd), 'total');
  total.className = 'total';
  $('#cost tbody').replaceChildren(
    row(
      'shard-hours (both streams)',
      cost.shardHours.toFixed(3),
      `$${cost.prices.shardHourUsd} / shard-hour`,
      usd(cost.shardHoursUsd),
      'shard-hours',
    ),
    row(
      'PUT payload units (25 KB each)',
      cost.putPayloadUnits === null ? 'not counted on AWS' : cost.putPayloadUnits.toLocaleString('en-US'),
      `$${cost.prices.perMillionPutPayloadUnitsUsd} / million`,
      usd(cost.putPayloadUnitsUsd),
      'put-payload-units',
    ),
    total,
  );
  $('#cost-note').textContent =
    `Since ${time(cost.since)} UTC, when this page started counting. Now ${cost.openShards} open shards: ${usd(cost.perHourUsd)} an hour. Not included: DynamoDB, CloudWatch, the machines. pnpm teardown ends it. Prices: ${cost.prices.source}`;
}

function draw(view) {
  drawStatus(view);
  drawNarration(view);
  drawPipeline(view);
  drawShards(view);
  drawThrottling(view);
  drawKeySpace(view);
  drawCost(view);
  drawReaders(view);
  drawChart(view);
  drawHistory(view);
  drawEvents(view);
  drawWindows(view);
  drawActions(view);
}

async function act(button) {
  const body = { action: button.dataset.action };
  if (button.dataset.worker) body.worker = button.dataset.worker;
  if (button.dataset.direction) body.direction = button.dataset.direction;
  if (button.dataset.count) body.count = Number(button.dataset.count);
  if (body.action === 'set-rate') body.rate = Number($('#rate').value);
  const out = $('#action-result');
  out.textContent = '…';
  try {
    const response = await fetch('/actions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dashboard-token': token },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    out.textContent = response.ok ? answer.message : `refused: ${answer.error}`;
  } catch (error) {
    out.textContent = `the dashboard did not answer: ${error.message}`;
  }
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (button) void act(button);
});

const source = new EventSource('/events');
source.onmessage = (message) => draw(JSON.parse(message.data));
source.onerror = () => {
  const status = $('#status');
  status.dataset.state = 'disconnected';
  status.textContent = 'disconnected: the dashboard itself is not answering';
};
