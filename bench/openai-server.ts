/**
 * The loopback fake OpenAI server of the SDK workload. Run as a script it serves the canned chat
 * completion on 127.0.0.1 in its own process (so its CPU time is not the client's), prints its
 * base URL and serves until killed; imported, it only gives the body.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chatResponse } from './measure.js';

export const OPENAI_BODY = JSON.stringify({
  ...chatResponse(),
  created: 1,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Sure.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(OPENAI_BODY) });
      res.end(OPENAI_BODY);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1\n`));
}
