/** The loopback fake Anthropic server of the SDK workload, in its own process: prints its URL, serves until killed. */
import { startFakeServer } from '../test/support/fake-providers/server.js';
import { jsonReply, sseReply, text } from '../test/support/fake-providers/anthropic.js';

const server = await startFakeServer();
const answer = text('It is sunny in Paris today, about 21 °C with a light breeze from the west.', {
  input_tokens: 120,
  output_tokens: 18,
  cache_read_input_tokens: 64,
});
server.respond((req) => {
  server.requests.length = 0; // keep nothing: the workload sends thousands of requests
  return (req.body as { stream?: boolean } | undefined)?.stream ? sseReply(answer) : jsonReply(answer);
});
process.stdout.write(`${server.url}\n`);
