import type { TableAdmin } from '@stock-trades/aws';

/** Creates a DynamoDB table keyed by `keyAttribute` unless it exists, and waits until it is ACTIVE. */
export async function ensureTable(
  tables: Pick<TableAdmin, 'create' | 'waitUntilActive'>,
  name: string,
  keyAttribute: string,
  say: (line: string) => void,
): Promise<'created' | 'existed'> {
  const created = await tables.create(name, keyAttribute);
  await tables.waitUntilActive(name);
  say(created ? `Table ${name} is ACTIVE.` : `Table ${name} already exists: nothing to do.`);
  return created ? 'created' : 'existed';
}
