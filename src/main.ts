#!/usr/bin/env node
// spvclient entry: `node dist/main.js [import|status] [options]`.
import { runCli } from './cli/runCli.js';

const code = await runCli(process.argv.slice(2));
// Exit explicitly: a subcommand is done once it has printed, whatever handles a library left open.
process.exit(code);
