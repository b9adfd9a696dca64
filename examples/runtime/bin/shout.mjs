#!/usr/bin/env node
// A local tool (docs/adapters.md): reads {"inputs", "context"} on stdin, answers {"outputs"} on stdout.
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { inputs } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
process.stdout.write(JSON.stringify({ outputs: { text: `${inputs.text.toUpperCase()}${inputs.mark}` } }));
