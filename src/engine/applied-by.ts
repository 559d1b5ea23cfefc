import os from 'node:os';

export const TOOL_NAME = 'kmigrate';
export const TOOL_VERSION = '0.1.0';

/** Who ran a migration: tool version, OS user and host, for the audit trail. */
export function describeRunner(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return `${TOOL_NAME}/${TOOL_VERSION} ${user}@${os.hostname()}`;
}
