import { SpvError } from '../errors/spvError.js';

/**
 * Reads a password from the terminal without echoing it (the original prompted when WalletPwd was empty).
 * Refuses when stdin is not a terminal: a daemon under a service manager must use alliance.walletPasswordFile.
 */
export function promptPassword(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return Promise.reject(
      new SpvError('CONFIG_INVALID', 'no wallet password: set alliance.walletPasswordFile (stdin is not a terminal)', {
        keys: ['alliance.walletPasswordFile'],
      }),
    );
  }
  return new Promise((resolve) => {
    process.stderr.write(question);
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.kill(process.pid, 'SIGINT');
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
