import { main } from './main.js';

// A reader that stops early (`netdoctor list | head`) is no failure of netdoctor: stop writing, without a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

// No top-level await: the same module is the single executable's main script, which Node runs as CommonJS.
void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
});
