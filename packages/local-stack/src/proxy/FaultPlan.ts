import { InvalidOptionError, parseDuration } from '@stock-trades/core';

export type Service = 'kinesis' | 'dynamodb';

/** What may go wrong with the calls a rule covers. */
export interface Fault {
  /** Share of calls answered with a throttling error (0-1). */
  readonly throttle?: number;
  /** Share of calls answered with an internal error, HTTP 500 (0-1). */
  readonly error?: number;
  /** Share of calls whose connection is dropped without an answer (0-1). */
  readonly drop?: number;
  /**
   * Share of calls carried out by the service whose answer is then lost: the connection is
   * dropped after the call took effect (0-1). What a timeout after Kinesis stored a write
   * looks like to its client: the retry stores it again.
   */
  readonly lose?: number;
  /** Added to every call, in ms. */
  readonly latencyMs?: number;
}

export interface Decision {
  readonly outcome: 'pass' | 'throttle' | 'error' | 'drop' | 'lose';
  readonly latencyMs: number;
}

/**
 * Faults on demand, per service and per API ("kinesis:GetRecords", "dynamodb:*"), and a
 * pause per service (every call waits until it is resumed). Tests set them directly;
 * `pnpm stack --faults` and `pnpm demo --faults` parse them from text.
 */
export class FaultPlan {
  private readonly rules = new Map<string, Fault>();
  private readonly paused = new Map<Service, Array<() => void>>();
  /** How many calls met each injected fault so far. */
  readonly injected = { throttle: 0, error: 0, drop: 0, lose: 0 };

  /** Sets (replaces) the fault of one API, or of every API of the service with '*'. */
  set(service: Service, api: string, fault: Fault): this {
    this.rules.set(`${service}:${api}`, fault);
    return this;
  }

  clear(): void {
    this.rules.clear();
  }

  /** From now on every call to the service waits, until resume. */
  pause(service: Service): void {
    if (!this.paused.has(service)) this.paused.set(service, []);
  }

  resume(service: Service): void {
    const waiting = this.paused.get(service) ?? [];
    this.paused.delete(service);
    for (const release of waiting) release();
  }

  isPaused(service: Service): boolean {
    return this.paused.has(service);
  }

  /** Resolves once the service is not paused (at once when it is not). */
  whenRunning(service: Service): Promise<void> {
    const waiting = this.paused.get(service);
    if (!waiting) return Promise.resolve();
    return new Promise((resolve) => waiting.push(resolve));
  }

  /** What happens to one call: the API's own rule, else the service's '*' rule. */
  decide(service: Service, api: string, random: () => number = Math.random): Decision {
    const fault = this.rules.get(`${service}:${api}`) ?? this.rules.get(`${service}:*`);
    if (!fault) return { outcome: 'pass', latencyMs: 0 };
    const draw = random();
    const throttle = fault.throttle ?? 0;
    const error = fault.error ?? 0;
    const drop = fault.drop ?? 0;
    const lose = fault.lose ?? 0;
    const outcome =
      draw < throttle
        ? 'throttle'
        : draw < throttle + error
          ? 'error'
          : draw < throttle + error + drop
            ? 'drop'
            : draw < throttle + error + drop + lose
              ? 'lose'
              : 'pass';
    if (outcome !== 'pass') this.injected[outcome]++;
    return { outcome, latencyMs: fault.latencyMs ?? 0 };
  }

  get empty(): boolean {
    return this.rules.size === 0;
  }

  /** One line saying what is set, for the stack's banner. */
  describe(): string {
    return [...this.rules]
      .map(([key, fault]) =>
        [
          key,
          ...(fault.throttle ? [`throttle ${pct(fault.throttle)}`] : []),
          ...(fault.error ? [`error ${pct(fault.error)}`] : []),
          ...(fault.drop ? [`drop ${pct(fault.drop)}`] : []),
          ...(fault.lose ? [`lose the answer ${pct(fault.lose)}`] : []),
          ...(fault.latencyMs ? [`+${fault.latencyMs} ms`] : []),
        ].join(' '),
      )
      .join('; ');
  }

  /**
   * Reads rules like `kinesis:*:throttle=10%,error=2%;dynamodb:UpdateItem:latency=200ms`:
   * service, API (or *), then throttle / error / drop / lose as a share (10% or 0.1) and latency
   * as a duration. Anything else is one line naming what is wrong.
   */
  static parse(text: string, flag = '--faults'): FaultPlan {
    const plan = new FaultPlan();
    for (const rule of text
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const [service, api, settings = ''] = rule.split(':');
      if (service !== 'kinesis' && service !== 'dynamodb') {
        throw new InvalidOptionError(`${flag}: "${rule}" must start with kinesis: or dynamodb:`);
      }
      if (!api || !/^(\*|[A-Za-z]{1,40})$/.test(api)) {
        throw new InvalidOptionError(`${flag}: "${rule}" needs an API name or * after ${service}:`);
      }
      const fault: Record<string, number> = {};
      for (const pair of settings.split(',').filter(Boolean)) {
        const [key = '', value = ''] = pair.split('=');
        if (key === 'latency') fault.latencyMs = parseDuration(value, `${flag} latency`, { min: 0, max: 60_000 });
        else if (key === 'throttle' || key === 'error' || key === 'drop' || key === 'lose')
          fault[key] = share(value, `${flag} ${key}`);
        else
          throw new InvalidOptionError(`${flag}: unknown "${key}" in "${rule}" (throttle, error, drop, lose, latency)`);
      }
      if (Object.keys(fault).length === 0) throw new InvalidOptionError(`${flag}: "${rule}" sets nothing`);
      if ((fault.throttle ?? 0) + (fault.error ?? 0) + (fault.drop ?? 0) + (fault.lose ?? 0) > 1) {
        throw new InvalidOptionError(`${flag}: the shares in "${rule}" add up to more than 100%`);
      }
      plan.set(service, api, fault);
    }
    return plan;
  }
}

function share(text: string, name: string): number {
  const value = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1 || text.trim() === '') {
    throw new InvalidOptionError(`${name} must be a share like 10% or 0.1, got "${text}"`);
  }
  return value;
}

function pct(value: number): string {
  return `${Math.round(value * 1000) / 10}%`;
}
