import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;
type Values = Record<string, AttributeValue> | undefined;
type Command = { readonly input: object };

/**
 * One DynamoDB table keyed by `leaseKey`, in memory, answering the real SDK command objects
 * (GetItem, Scan with paging, UpdateItem, DeleteItem, PutItem) and recording every command sent.
 * It understands only the small expression grammar the lease store uses — conditions
 * `a = :v`, `attribute_not_exists(a)`, `attribute_exists(a)` joined by AND; updates `SET a = :v, …`
 * and `REMOVE a, …` — and throws on anything else, and, like DynamoDB, on an unused or missing
 * expression value. A failed condition throws the SDK's ConditionalCheckFailedException.
 */
export class FakeDynamoTable {
  readonly items = new Map<string, Item>();
  readonly sent: Command[] = [];
  /** Errors to throw instead of answering, one per command, in order. */
  readonly failures: Error[] = [];

  constructor(private readonly scanPageSize = 100) {}

  get client(): DynamoDBClient {
    return { send: (command: Command) => this.send(command) } as unknown as DynamoDBClient;
  }

  put(item: Item): void {
    const key = item.leaseKey?.S;
    if (key === undefined) throw new Error('an item needs a leaseKey');
    this.items.set(key, structuredClone(item));
  }

  get(leaseKey: string): Item | undefined {
    return this.items.get(leaseKey);
  }

  inputsOf<T extends abstract new (...args: never[]) => Command>(type: T): InstanceType<T>['input'][] {
    return this.sent.filter((command) => command instanceof type).map((command) => command.input);
  }

  private async send(command: Command): Promise<unknown> {
    this.sent.push(command);
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (command instanceof GetItemCommand) {
      const item = this.items.get(keyOf(command.input.Key));
      return { Item: item && structuredClone(item) };
    }
    if (command instanceof ScanCommand) return this.scan(command.input.ExclusiveStartKey);
    if (command instanceof UpdateItemCommand) {
      const { Key, ConditionExpression, UpdateExpression, ExpressionAttributeValues: values } = command.input;
      const key = keyOf(Key);
      const current = this.items.get(key);
      const used = new Set<string>();
      if (ConditionExpression !== undefined) this.check(ConditionExpression, current, values, used);
      const next = applyUpdate(current ?? structuredClone(Key ?? {}), UpdateExpression ?? '', values, used);
      requireAllUsed(values, used);
      this.items.set(key, next);
      return {};
    }
    if (command instanceof DeleteItemCommand) {
      const { Key, ConditionExpression, ExpressionAttributeValues: values } = command.input;
      const used = new Set<string>();
      if (ConditionExpression !== undefined) this.check(ConditionExpression, this.items.get(keyOf(Key)), values, used);
      requireAllUsed(values, used);
      this.items.delete(keyOf(Key));
      return {};
    }
    if (command instanceof PutItemCommand) {
      const { Item: item, ConditionExpression, ExpressionAttributeValues: values } = command.input;
      const used = new Set<string>();
      if (ConditionExpression !== undefined) this.check(ConditionExpression, this.items.get(keyOf(item)), values, used);
      requireAllUsed(values, used);
      this.put(item ?? {});
      return {};
    }
    throw new Error(`FakeDynamoTable does not answer ${command.constructor.name}`);
  }

  private scan(startKey: Item | undefined) {
    const keys = [...this.items.keys()].sort();
    const from = startKey ? keys.indexOf(keyOf(startKey)) + 1 : 0;
    const page = keys.slice(from, from + this.scanPageSize);
    const more = from + this.scanPageSize < keys.length;
    const last = page.at(-1);
    return {
      Items: page.map((key) => structuredClone(this.items.get(key))),
      ...(more && last !== undefined ? { LastEvaluatedKey: { leaseKey: { S: last } } } : {}),
    };
  }

  private check(expression: string, item: Item | undefined, values: Values, used: Set<string>): void {
    const holds = expression.split(' AND ').every((clause) => {
      const exists = /^attribute_(not_exists|exists)\((\w+)\)$/.exec(clause);
      if (exists) return (exists[1] === 'exists') === (item?.[exists[2] as string] !== undefined);
      const equals = /^(\w+) = (:\w+)$/.exec(clause);
      if (!equals) throw new Error(`FakeDynamoTable cannot evaluate condition "${clause}"`);
      const actual = item?.[equals[1] as string];
      return actual !== undefined && same(actual, valueFor(equals[2] as string, values, used));
    });
    if (!holds) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  }
}

/** Applies `SET a = :v, …` and `REMOVE a, …` sections (in any order) to a copy of `item`. */
export function applyUpdate(item: Item, expression: string, values: Values, used = new Set<string>()): Item {
  const next = structuredClone(item);
  const sections = expression.split(/\s*\b(SET|REMOVE)\b\s*/).filter((part) => part !== '');
  if (sections.length === 0 || sections.length % 2 !== 0) throw new Error(`cannot apply update "${expression}"`);
  for (let index = 0; index < sections.length; index += 2) {
    const action = sections[index];
    const clauses = (sections[index + 1] ?? '').split(/\s*,\s*/);
    for (const clause of clauses) {
      if (action === 'REMOVE' && /^\w+$/.test(clause) && clause !== 'leaseKey') {
        delete next[clause];
        continue;
      }
      const assignment = /^(\w+) = (:\w+)$/.exec(clause);
      if (action !== 'SET' || !assignment) throw new Error(`cannot apply "${action} ${clause}"`);
      if (assignment[1] === 'leaseKey') throw new Error('ValidationException: leaseKey is part of the key');
      next[assignment[1] as string] = valueFor(assignment[2] as string, values, used);
    }
  }
  return next;
}

function valueFor(placeholder: string, values: Values, used: Set<string>): AttributeValue {
  const value = values?.[placeholder];
  if (value === undefined) throw new Error(`ValidationException: ${placeholder} is not defined`);
  used.add(placeholder);
  return value;
}

function requireAllUsed(values: Values, used: Set<string>): void {
  const unused = Object.keys(values ?? {}).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`ValidationException: unused expression values ${unused.join(', ')}`);
}

function keyOf(key: Item | undefined): string {
  const leaseKey = key?.leaseKey?.S;
  if (leaseKey === undefined) throw new Error('the key must be { leaseKey: { S } }');
  return leaseKey;
}

function same(a: AttributeValue, b: AttributeValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
