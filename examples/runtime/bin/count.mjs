#!/usr/bin/env node
// A local tool that writes an artifact to its scratch directory (its cwd) and lists it in its reply.
import { writeFileSync } from 'node:fs';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { inputs } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const words = inputs.text.split(/\s+/).filter(Boolean).length;
writeFileSync('count.txt', `${words}\n`);
process.stdout.write(JSON.stringify({ outputs: { words, report: 'count.txt' }, artifacts: ['count.txt'] }));
