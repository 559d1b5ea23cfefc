/** `npm run migrate -- <command>`: starts the CLI, nothing else. */
import { runCli } from '../src/cli/main.ts';

process.exitCode = await runCli(process.argv.slice(2));
