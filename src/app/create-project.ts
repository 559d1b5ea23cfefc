import type { Kysely } from 'kysely';
import type { DB } from '../../generated/db.ts';
import { createApiKey } from './api-keys.ts';

export interface CreateProjectInput {
  ownerEmail: string;
  projectName: string;
  ownerName?: string;
  keyName?: string;
}

export interface CreatedProject {
  userId: number;
  projectId: number;
  apiKeyId: number;
  /** In clear, once: only its sha256 is stored. */
  apiKey: string;
}

/**
 * Seeds a project: its owner (reused when the email exists), the project, and
 * one API key. Used by tests and by scripts/create-project.ts.
 */
export async function createProjectWithKey(
  db: Kysely<DB>,
  input: CreateProjectInput,
): Promise<CreatedProject> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({ email: input.ownerEmail, display_name: input.ownerName ?? null })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
    const user = await trx
      .selectFrom('users')
      .select('id')
      .where('email', '=', input.ownerEmail)
      .executeTakeFirstOrThrow();
    const project = await trx
      .insertInto('projects')
      .values({ owner_id: user.id, name: input.projectName })
      .returning('id')
      .executeTakeFirstOrThrow();
    const key = await createApiKey(trx, project.id, input.keyName ?? 'default');
    return { userId: user.id, projectId: project.id, apiKeyId: key.id, apiKey: key.key };
  });
}
