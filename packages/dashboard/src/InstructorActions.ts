import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { type AwsClients, StreamAdmin } from '@stock-trades/aws';
import { z } from 'zod';
import type { Fleet } from './Fleet.js';

/** The most open shards a class can reshard the embedded stack to: enough for every lesson, light on a laptop. */
export const MAX_LOCAL_SHARDS = 16;
/** The most workers running at once from the page: each is a Node process. */
export const MAX_WORKERS = 8;

const WORKER = z.string().regex(/^worker-\d{1,4}$/, 'worker must be a name like worker-2');

/** What the page (or the terminal) may ask for; anything else is refused with the reason. */
export const ActionRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('add-worker') }),
  z.object({ action: z.literal('kill-worker'), worker: WORKER }),
  z.object({ action: z.literal('stop-worker'), worker: WORKER }),
  z.object({ action: z.literal('pause-worker'), worker: WORKER }),
  z.object({ action: z.literal('reshard'), direction: z.enum(['double', 'halve']) }),
  z.object({ action: z.literal('set-rate'), rate: z.number().int().min(1).max(5000) }),
  z.object({ action: z.literal('inject-malformed'), count: z.number().int().min(1).max(100) }),
]);
export type ActionRequest = z.infer<typeof ActionRequest>;

/** An action that cannot be done: `status` is the HTTP status to answer with. */
export class ActionError extends Error {
  readonly code = 'ACTION_REFUSED';
  constructor(
    message: string,
    readonly status: 400 | 403 | 409,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

/**
 * The instructor's buttons: add, kill, stop or pause a worker, reshard, change the producer's
 * rate, inject malformed records. Each does what a user would do by hand — start or
 * signal one of the project's commands, call UpdateShardCount, PutRecords — and says
 * in one line what it did. Only for the embedded stack: the server refuses them on AWS.
 */
export class InstructorActions {
  private readonly streams: StreamAdmin;
  /** Actions run one at a time: two rate changes at once must not leave two producers. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fleet: Fleet,
    private readonly clients: AwsClients,
    private readonly stream: string,
  ) {
    this.streams = new StreamAdmin(clients);
  }

  /** Checks a request's shape; throws ActionError (400) naming what is wrong. */
  static parse(body: unknown): ActionRequest {
    const parsed = ActionRequest.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new ActionError(`${where}${issue?.message ?? 'not an action'}`, 400);
  }

  run(request: ActionRequest): Promise<string> {
    const next = this.queue.then(() => this.runNow(request));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(request: ActionRequest): Promise<string> {
    switch (request.action) {
      case 'add-worker': {
        const running = this.fleet.processes.filter((process) => process.role === 'worker' && process.running).length;
        if (running >= MAX_WORKERS) throw new ActionError(`at most ${MAX_WORKERS} workers run at once here`, 409);
        return `started ${this.fleet.startWorker().name}`;
      }
      case 'kill-worker':
        if (!this.fleet.kill(this.worker(request.worker)))
          throw new ActionError(`${request.worker} is not running`, 409);
        return `killed ${request.worker} with SIGKILL: its leases move once they expire`;
      case 'stop-worker': {
        const worker = this.fleet.find(this.worker(request.worker));
        if (!worker) throw new ActionError(`${request.worker} is not running`, 409);
        void this.fleet.stop(worker);
        return `stopping ${request.worker} cleanly: it checkpoints and releases its leases`;
      }
      case 'pause-worker':
        if (!this.fleet.pause(this.worker(request.worker)))
          throw new ActionError(`${request.worker} is not running`, 409);
        return `paused ${request.worker} for ${this.fleet.pauseForSeconds} s: its shards fall behind, then catch up`;
      case 'reshard':
        return this.reshard(request.direction);
      case 'set-rate':
        await this.fleet.setRate(request.rate);
        return `producer restarted at ${request.rate} trades/s`;
      case 'inject-malformed':
        return this.injectMalformed(request.count);
    }
  }

  private worker(name: string): string {
    if (!this.fleet.processes.some((process) => process.name === name && process.role === 'worker')) {
      throw new ActionError(`no worker named ${name} was started here`, 409);
    }
    return name;
  }

  private async reshard(direction: 'double' | 'halve'): Promise<string> {
    const stream = await this.streams.describe(this.stream);
    if (!stream) throw new ActionError(`stream ${this.stream} does not exist`, 409);
    if (stream.status !== 'ACTIVE')
      throw new ActionError(`stream ${this.stream} is ${stream.status}: wait for ACTIVE`, 409);
    const open = stream.openShardCount;
    const target = direction === 'double' ? open * 2 : Math.max(1, Math.ceil(open / 2));
    if (target === open) throw new ActionError(`${this.stream} has ${open} open shard; it cannot halve`, 409);
    if (target > MAX_LOCAL_SHARDS) throw new ActionError(`at most ${MAX_LOCAL_SHARDS} open shards here`, 409);
    await this.streams.updateShardCount(this.stream, target);
    return `resharding ${this.stream}: ${open} → ${target} open shards`;
  }

  private async injectMalformed(count: number): Promise<string> {
    const kinds = ['{"tickerSymbol":', 'not json at all', '{"tickerSymbol":"AMZN","tradeType":"HOLD"}', '[]'];
    const records = Array.from({ length: count }, (_, index) => ({
      Data: Buffer.from(kinds[index % kinds.length] ?? ''),
      PartitionKey: `malformed-${Date.now()}-${index}`,
    }));
    const answer = await this.clients.kinesis.send(
      new PutRecordsCommand({ StreamName: this.stream, Records: records }),
    );
    const sent = count - (answer.FailedRecordCount ?? 0);
    return `sent ${sent} malformed records to ${this.stream}`;
  }
}
