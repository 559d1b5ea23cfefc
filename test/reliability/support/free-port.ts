/** A TCP port on 127.0.0.1 that nothing listens on right now: the one the embedded server uses. */
export { freePort } from '../../../src/dialects/postgres/embedded-server.ts';
