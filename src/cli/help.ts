const COMMON = `
Options (all commands):
  --config FILE      conf.json to read (default ./conf.json; defaults apply if that file is absent)
  --loglevel N       0 trace, 1 debug, 2 info, 3 warn, 4 error, 5 fatal, 6 silent (default: conf.json logLevel, 2)
  --gomaxprocs N     at most N proof-of-work pool threads (default 4)
  --network NAME     mainnet | testnet3 | testnet4 | signet | regtest | benchnet (overrides conf.json)
  --datadir DIR      data directory (overrides conf.json dataDir; one sub-folder per network)
  --connect H:P      use only this peer (repeatable; overrides conf.json peers.connect), like bitcoind -connect
  --rest-port N      REST API port (overrides conf.json rest.port)
  -h, --help         this help
`;

export const HELP = {
  daemon: `Usage: spvclient [options]
       spvclient import FILE [options]
       spvclient status [options]

Runs the spvclient daemon: keeps the Bitcoin header chain (every fork, the most-work best chain) in a
crash-safe store. Stops cleanly on SIGINT/SIGTERM.
${COMMON}  -v, --version      print the version

Exit codes: 0 ok, 1 failure, 2 bad command line or configuration.`,
  import: `Usage: spvclient import FILE [--height H] [--trust-anchor [--anchor-chainwork HEX]] [--json] [options]

Imports a file of raw concatenated 80-byte headers through the same validation and store as P2P sync.
  --height H             height of the file's first header (default 0: it must be the network's genesis)
  --trust-anchor         with an empty store, take the file's first header as the trusted start anchor
                         (H must be a multiple of 2016)
  --anchor-chainwork HEX cumulative chainwork at the anchor (default: the anchor's own work, so chainwork
                         is counted from the anchor)
  --json                 print one JSON object:
                         {"tip":{"height":N,"hash":".."},"imported":N,"duplicates":N,"rejected":null|{"height":N,"hash":"..","code":".."},"ms":N}
${COMMON}
Exit codes: 0 all headers accepted, 1 a header was rejected or the import failed, 2 bad arguments.`,
  status: `Usage: spvclient status [--json] [--verify] [options]

Prints the tip height, hash, chainwork and number of stored headers.
  --json     one JSON object
  --verify   also audit the whole store (tip is the most-work header, best chain links, indexes agree)
${COMMON}`,
} as const;
