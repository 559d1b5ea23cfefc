import type { DatabaseTarget } from '../config/database-url.ts';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * True for databases that can only be a developer's own: SQLite, or PostgreSQL
 * on localhost / a loopback address / a Unix socket. Seeds and reset refuse
 * anything else unless told otherwise (--allow-remote, --force).
 */
export function isLocalDatabase(target: DatabaseTarget): boolean {
  if (target.dialect === 'sqlite') return true;
  const url = new URL(target.url);
  const host = decodeURIComponent(url.hostname).toLowerCase();
  // No host (postgres:///db) or a socket path (?host=/var/run/postgresql) is a local Unix socket.
  const socket = url.searchParams.get('host');
  if (host === '') return socket === null || socket.startsWith('/');
  return LOCAL_HOSTS.has(host) || host.endsWith('.localhost');
}
