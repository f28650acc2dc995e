import type { ProjectResource, ResourceKind } from '@stock-trades/core';

/** What teardown needs of a stream or table admin. */
export interface ResourceAdmin {
  describe(name: string): Promise<{ status: string } | undefined>;
  delete(name: string): Promise<boolean>;
  waitUntilGone(name: string): Promise<void>;
}

export interface TeardownDeps {
  readonly admins: Readonly<Record<ResourceKind, ResourceAdmin>>;
  /** Asks the user; resolves true to go ahead. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly say: (line: string) => void;
}

export interface TeardownResult {
  readonly deleted: ProjectResource[];
  readonly alreadyGone: ProjectResource[];
  /** True when the user said no: nothing was touched. */
  readonly declined: boolean;
}

/**
 * Deletes exactly the resources on the list (the project's own, from core) that exist,
 * after saying what they are and asking, and waits until each is gone. What is already
 * gone is reported as such; anything not on the list is never touched.
 */
export async function runTeardown(resources: readonly ProjectResource[], deps: TeardownDeps): Promise<TeardownResult> {
  const found: ProjectResource[] = [];
  const alreadyGone: ProjectResource[] = [];
  for (const resource of resources) {
    const current = await deps.admins[resource.kind].describe(resource.name);
    (current ? found : alreadyGone).push(resource);
  }
  for (const resource of alreadyGone) deps.say(`  ${label(resource)}: already gone`);
  if (found.length === 0) {
    deps.say('Nothing to delete.');
    return { deleted: [], alreadyGone, declined: false };
  }
  deps.say('Will delete:');
  for (const resource of found) deps.say(`  ${label(resource)} (created by ${resource.createdBy})`);
  const question = found.length === 1 ? 'Delete it? [y/N] ' : `Delete these ${found.length}? [y/N] `;
  if (!(await deps.confirm(question))) {
    deps.say('Nothing deleted.');
    return { deleted: [], alreadyGone, declined: true };
  }
  const deleted: ProjectResource[] = [];
  await Promise.all(
    found.map(async (resource) => {
      const admin = deps.admins[resource.kind];
      if (!(await admin.delete(resource.name))) {
        alreadyGone.push(resource);
        deps.say(`  ${label(resource)}: already gone`);
        return;
      }
      await admin.waitUntilGone(resource.name);
      deleted.push(resource);
      deps.say(`  ${label(resource)}: deleted`);
    }),
  );
  deps.say(`Done: ${deleted.length} deleted, ${alreadyGone.length} already gone.`);
  return { deleted, alreadyGone, declined: false };
}

function label(resource: ProjectResource): string {
  return `${resource.kind} ${resource.name}`;
}
