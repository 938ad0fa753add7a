#!/usr/bin/env node
// spvclient entry: `node dist/main.js [import|status] [options]`.
// The young-generation setting must come before any other module loads and allocates (see the file), so the
// rest of the CLI is imported dynamically after it: static imports would all be evaluated first.
import './cli/youngGeneration.js';

const { runCli } = await import('./cli/runCli.js');
const code = await runCli(process.argv.slice(2));
// Exit explicitly: a subcommand is done once it has printed, whatever handles a library left open.
process.exit(code);
