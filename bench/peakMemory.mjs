// Runs one spec command in this process and prints its peak resident memory (worker threads included) as JSON.
import { run } from '../dist/cli/run.js';

const output = [];
const code = await run(process.argv.slice(2), {
  stdout: (text) => output.push(text),
  stderr: (text) => process.stderr.write(text),
  env: { ...process.env },
  cwd: process.cwd(),
  stdoutIsTty: false,
  stderrIsTty: false,
});
process.stdout.write(
  `${JSON.stringify({ exitCode: code, maxRssBytes: process.resourceUsage().maxRSS * 1024, stdout: output.join('') })}\n`,
);
