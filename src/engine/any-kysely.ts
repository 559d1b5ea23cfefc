import type { Kysely } from 'kysely';

/**
 * Migrations run against whatever schema exists at that moment, so Kysely's
 * migration API types them as Kysely<any>. These aliases are the one place
 * `any` is allowed; everything else is strictly typed.
 */
// biome-ignore lint/suspicious/noExplicitAny: Kysely's Migration interface is defined on Kysely<any>.
export type AnyDatabase = any;
export type AnyKysely = Kysely<AnyDatabase>;
