// `node --import ./bench/peers/register-ts-hooks.mjs …`: the same TypeScript hooks the kmigrate bin uses,
// so Kysely's Migrator loads the TS modules as fast as ours does — but without answering anything from our
// bundle: the peer and its modules use kysely from node_modules, as Kysely ships it.
import { register } from 'node:module';

register('../../bin/ts-hooks.mjs', import.meta.url, { data: { bundle: false } });
